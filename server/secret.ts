import "server-only";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getConfig } from "@/server/config";

// The server key signs audit entries. LEAKWATCH_SECRET_KEY wins (several instances sharing history should
// set the same one); otherwise one is generated once into the data dir, readable by the owner only.
let cached: string | undefined;

export function serverKey(): string {
  if (cached) return cached;
  const cfg = getConfig();
  if (cfg.secretKey) return (cached = cfg.secretKey);
  const file = path.join(cfg.dataDir, "secret.key");
  try {
    cached = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(cfg.dataDir, { recursive: true });
    const key = randomBytes(32).toString("hex");
    try {
      writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
      cached = key;
    } catch {
      cached = readFileSync(file, "utf8").trim(); // another process created it first
    }
  }
  return cached;
}
