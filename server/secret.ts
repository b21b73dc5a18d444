import "server-only";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getConfig } from "@/server/config";
import { ensurePrivateDir, tightenFiles } from "@/server/private-files";

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
    tightenFiles([file]);
  } catch {
    ensurePrivateDir(cfg.dataDir);
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
