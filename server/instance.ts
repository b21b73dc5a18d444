import "server-only";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getConfig } from "@/server/config";
import { ensurePrivateDir } from "@/server/private-files";
import { processState } from "@/server/process-state";

// Who this console process is: a stable id per data dir, and when it started. Its own module, so the audit log,
// /api/health and start-up can all read it without the first two importing start-up (which imports them).

/** A stable id per data dir: audit chains and leases are keyed by it, so it must survive restarts. */
function loadInstanceId(): string {
  const dir = getConfig().dataDir;
  const file = path.join(dir, "instance-id");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    ensurePrivateDir(dir);
    const id = randomUUID();
    try {
      writeFileSync(file, `${id}\n`, { flag: "wx", mode: 0o600 });
      return id;
    } catch {
      return readFileSync(file, "utf8").trim();
    }
  }
}

function state() {
  return processState("instance", () => ({ id: loadInstanceId(), startedAt: Date.now() }));
}

export const instanceId = () => state().id;
export const startedAt = () => state().startedAt;
