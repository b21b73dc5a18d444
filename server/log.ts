import "server-only";
import pino from "pino";
import { getConfig } from "@/server/config";

// Structured logs on stdout (pino). No transports: they spawn workers that Next's bundle can't trace.
const g = globalThis as unknown as { __leakwatchLog?: pino.Logger };

export const log: pino.Logger = (g.__leakwatchLog ??= pino({
  level: (() => {
    try {
      return getConfig().logLevel;
    } catch {
      return "info";
    }
  })(),
  base: { app: "leakwatch" },
  redact: ["password", "*.password", "token", "*.token", "authorization", "cookie"],
}));
