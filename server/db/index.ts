import "server-only";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import { getConfig } from "@/server/config";
import { ensurePrivateDir, ensurePrivateFile, tightenFiles } from "@/server/private-files";
import { markSource } from "@/server/sources/status";
import { migrationProvider } from "./migrations";
import type { Database } from "./schema";
import { processState } from "@/server/process-state";

// The console's own store: embedded SQLite (WAL) by default, PostgreSQL when LEAKWATCH_DATABASE_URL is set.
// One Kysely instance per process, on globalThis so hot reload and route bundles share it.

export type Dialect = "sqlite" | "postgres";
interface DbHolder {
  db: Kysely<Database>;
  dialect: Dialect;
  ready: Promise<void>;
  target: string;
}
const current = () => processState("db", () => ({ holder: undefined as DbHolder | undefined }));

async function createPostgres(url: string): Promise<Kysely<Database>> {
  const pg = (await import("pg")).default;
  // bigint columns hold epoch milliseconds: well inside Number's safe range.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  pool.on("error", (e: Error) => markSource("database", "console-db", false, e.message));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function createSqlite(dataDir: string): Promise<Kysely<Database>> {
  const BetterSqlite = (await import("better-sqlite3")).default;
  ensurePrivateDir(dataDir);
  const dbFile = path.join(dataDir, "leakwatch.sqlite");
  // SQLite gives the -wal and -shm files the database file's mode, so a 0600 database keeps them 0600 too.
  ensurePrivateFile(dbFile);
  const file = new BetterSqlite(dbFile);
  file.pragma("journal_mode = WAL");
  tightenFiles([`${dbFile}-wal`, `${dbFile}-shm`]);
  file.pragma("synchronous = NORMAL");
  file.pragma("busy_timeout = 5000");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(file) }) });
}

const STATEMENTS_KEPT = 256;

/**
 * The database as Kysely's SQLite dialect sees it, with each SQL text prepared once: the samplers run the same few
 * dozen statements every pass, and preparing them again was a sixth of the store's CPU in a profile. Kysely runs one
 * query at a time on its single SQLite connection, so a statement is never in use twice at once. Bounded: SQL texts
 * that vary (an IN list of another length) push out the least recently used.
 */
function cachingStatements(file: BetterSqlite3.Database) {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => file.close(),
    prepare(sqlText: string) {
      let stmt = kept.get(sqlText);
      if (stmt) kept.delete(sqlText);
      else {
        stmt = file.prepare(sqlText);
        if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
      }
      kept.set(sqlText, stmt);
      return stmt;
    },
  };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
}

function holder(): DbHolder {
  const cfg = getConfig();
  const target = cfg.databaseUrl ?? cfg.dataDir;
  const cached = current().holder;
  if (cached && cached.target === target) return cached;
  if (cached) {
    // The configuration points elsewhere now (tests swap it within one process): let go of the old store.
    current().holder = undefined;
    void cached.ready.then(() => cached.db.destroy()).catch(() => undefined);
  }
  const dialect: Dialect = cfg.databaseUrl ? "postgres" : "sqlite";
  // Drivers load asynchronously (dynamic import keeps pg out of SQLite installs); callers await `ready`.
  const h = { dialect, db: undefined as unknown as Kysely<Database>, ready: Promise.resolve(), target } as DbHolder;
  h.ready = (async () => {
    const db = dialect === "postgres" ? await createPostgres(cfg.databaseUrl!) : await createSqlite(cfg.dataDir);
    h.db = db;
    await migrate(db);
    markSource("database", "console-db", true);
  })();
  current().holder = h;
  h.ready.catch((e) => {
    markSource("database", "console-db", false, (e as Error).message);
    if (current().holder === h) current().holder = undefined; // let the next call try again
  });
  return h;
}

/** The ready database (migrated). */
export async function getDb(): Promise<Kysely<Database>> {
  const h = holder();
  await h.ready;
  return h.db;
}

export function dbDialect(): Dialect {
  return getConfig().databaseUrl ? "postgres" : "sqlite";
}

/** Cheap liveness probe for /api/health. */
export async function pingDb(): Promise<void> {
  const db = await getDb();
  try {
    await sql`select 1`.execute(db);
    markSource("database", "console-db", true);
  } catch (e) {
    markSource("database", "console-db", false, (e as Error).message);
    throw e;
  }
}

/** Tests: close and forget the database. */
export async function closeDb(): Promise<void> {
  const h = current().holder;
  current().holder = undefined;
  if (h) {
    await h.ready.catch(() => undefined);
    await h.db?.destroy();
  }
}
