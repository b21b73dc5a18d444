// Verifies the tamper-evident audit log of one console instance and exits 1 if it is broken.
//
// Run with the react-server condition so `import "server-only"` resolves to its empty export:
//   npx tsx --conditions=react-server scripts/audit-verify.ts [--head <seq>:<sha256hex>] [--json]
//
// Reads LEAKWATCH_DATA_DIR (default ./data) for <dataDir>/audit/audit.jsonl and the HMAC key from
// LEAKWATCH_SECRET_KEY or <dataDir>/secret.key. Truncation of the tail can only be seen against the
// head kept in the console's database (SQLite in the data dir, or LEAKWATCH_DATABASE_URL), read here; --head overrides.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AUDIT_FILE_NAME } from "@/server/audit/audit-log";
import type { ChainHead } from "@/server/audit/types";
import { verifyAudit } from "@/server/audit/verify";

/** The database copy of the head for the instance that owns this data dir. */
export type ReadHeadFromDatabase = (dataDir: string) => Promise<ChainHead | null>;

function parseHead(raw: string): ChainHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(raw);
  if (!m) throw new Error(`--head must look like <seq>:<64 hex chars>, got "${raw}"`);
  return { seq: Number(m[1]), hash: m[2]! };
}

async function loadKey(dataDir: string): Promise<string> {
  if (process.env.LEAKWATCH_SECRET_KEY) return process.env.LEAKWATCH_SECRET_KEY;
  const file = path.join(dataDir, "secret.key");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (e) {
    throw new Error(`no LEAKWATCH_SECRET_KEY and cannot read ${file}: ${(e as Error).message}`);
  }
}

export async function main(argv: string[], readHeadFromDatabase: ReadHeadFromDatabase | null = null): Promise<number> {
  const headArg = argv.indexOf("--head");
  const asJson = argv.includes("--json");
  const dataDir = path.resolve(process.env.LEAKWATCH_DATA_DIR || "./data");
  const file = path.join(dataDir, "audit", AUDIT_FILE_NAME);
  try {
    const key = await loadKey(dataDir);
    let head: ChainHead | null = null;
    if (headArg >= 0) head = parseHead(argv[headArg + 1] ?? "");
    else if (readHeadFromDatabase) head = await readHeadFromDatabase(dataDir);
    const result = await verifyAudit({ file, key, head });
    if (asJson) console.log(JSON.stringify({ file, ...result }));
    else if (result.ok)
      console.log(
        `OK ${file}: ${result.message}${result.headLag ? ` (${result.headLag} entries after the DB head)` : ""}`,
      );
    else
      console.log(
        `FAILED ${file}: ${result.problem} at entry ${result.firstBadSeq} (line ${result.line}): ${result.message}`,
      );
    return result.ok ? 0 : 1;
  } catch (e) {
    console.error(`audit-verify: ${(e as Error).message}`);
    return 1;
  }
}

async function readHeadFromConsoleDb(dataDir: string): Promise<ChainHead | null> {
  const { dbHeadStore } = await import("@/server/audit/db-head-store");
  const { closeDb } = await import("@/server/db");
  let instance: string;
  try {
    instance = (await readFile(path.join(dataDir, "instance-id"), "utf8")).trim();
  } catch {
    return null; // a console never started on this data dir: no head to compare with
  }
  try {
    return await dbHeadStore(instance).get();
  } finally {
    await closeDb();
  }
}
const isEntry = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isEntry) void main(process.argv.slice(2), readHeadFromConsoleDb).then((code) => process.exit(code));
