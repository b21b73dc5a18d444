import "server-only";
import pino from "pino";
import { getConfig } from "@/server/config";
import { processState } from "@/server/process-state";

// Structured logs on stdout (pino). No transports: they spawn workers that Next's bundle can't trace.

export const log: pino.Logger = processState("log", () =>
  pino({
    level: (() => {
      try {
        return getConfig().logLevel;
      } catch {
        return "info";
      }
    })(),
    base: { app: "leakwatch" },
    redact: ["password", "*.password", "token", "*.token", "authorization", "cookie"],
  }),
);
