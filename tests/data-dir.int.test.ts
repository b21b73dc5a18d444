// The console's data dir holds password hashes, session ids, the audit log and its signing key: after a start and
// some writes, every directory in it is 0700 and every file 0600, whatever the umask, also for an install that
// created the directory wider before.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditEvent } from "@/server/audit/service";
import { createSession } from "@/server/auth/sessions";
import { findUserByName } from "@/server/auth/users";
import { testRedisUrl } from "@/server/testing/harness";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";

let root: string | undefined;

afterAll(async () => {
  await stopRuntime();
  if (root) await rm(root, { recursive: true, force: true });
});

async function modes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { ".": ((await stat(dir)).mode & 0o777).toString(8) };
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = ((await stat(p)).mode & 0o777).toString(8);
  }
  return out;
}

describe("the data dir", () => {
  it("is owner-only: directories 0700, the SQLite database with its -wal and -shm, the audit log and the key 0600", async () => {
    root = await mkdtemp(path.join(tmpdir(), "lw-modes-"));
    const dataDir = path.join(root, "data");
    // As an older install left it: a world-readable directory with a world-readable database.
    await mkdir(dataDir, { mode: 0o755 });
    await writeFile(path.join(dataDir, "leakwatch.sqlite"), "", { mode: 0o644 });
    const oldUmask = process.umask(0o022);
    try {
      await startRuntime({
        LEAKWATCH_DATA_DIR: dataDir,
        LEAKWATCH_BROKERS: `default=${testRedisUrl(7)}`,
        LEAKWATCH_LOG_LEVEL: "warn",
      });
      const admin = await findUserByName("admin");
      await createSession(admin!.id, "127.0.0.1");
      await auditEvent({
        kind: "settings",
        actor: "test",
        role: "admin",
        sourceIp: null,
        action: "modes.test",
        detail: null,
      });
    } finally {
      process.umask(oldUmask);
    }
    const seen = await modes(dataDir);
    for (const name of [
      "leakwatch.sqlite",
      "leakwatch.sqlite-wal",
      "leakwatch.sqlite-shm",
      "secret.key",
      "instance-id",
      "audit/audit.jsonl",
    ])
      expect(seen).toHaveProperty([name]);
    const wrong = Object.entries(seen).filter(
      ([name, mode]) => mode !== (name === "." || name === "audit" ? "700" : "600"),
    );
    expect(wrong).toEqual([]);
  });
});
