import "server-only";
import { type Kysely, type Migration, type MigrationProvider } from "kysely";

// Migrations written once for both dialects: only types both understand (text, integer, bigint, double precision).

const ms = "bigint" as const;

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("users").ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("username", "text", (c) => c.notNull().unique())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createTable("sessions").ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("csrf_token", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .addColumn("last_seen_at", ms, (c) => c.notNull())
      .addColumn("ip", "text")
      .execute();
    await db.schema.createTable("api_tokens").ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("last_used_at", ms)
      .addColumn("revoked_at", ms)
      .execute();
    await db.schema.createTable("setup_tokens").ifNotExists()
      .addColumn("token_hash", "text", (c) => c.primaryKey())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .addColumn("used_at", ms)
      .execute();
    await db.schema.createTable("login_attempts").ifNotExists()
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("login_attempts_key_ts").ifNotExists().on("login_attempts").columns(["key", "ts"]).execute();
    await db.schema.createTable("settings").ifNotExists()
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("updated_at", ms, (c) => c.notNull())
      .addColumn("updated_by", "text")
      .execute();
    await db.schema.createTable("container_samples").ifNotExists()
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("container_id", "text", (c) => c.notNull())
      .addColumn("res", "integer", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("pids_current", "integer")
      .addColumn("pids_limit", "integer")
      .addColumn("effective_limit", "integer")
      .addColumn("refused_total", "integer")
      .addPrimaryKeyConstraint("container_samples_pk", ["host", "container_id", "res", "ts"])
      .execute();
    await db.schema.createIndex("container_samples_res_ts").ifNotExists().on("container_samples").columns(["res", "ts"]).execute();
    await db.schema.createTable("container_events").ifNotExists()
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("container_id", "text", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("attributes", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("container_events_pk", ["host", "container_id", "ts", "action"])
      .execute();
    await db.schema.createTable("queue_samples").ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("queue", "text", (c) => c.notNull())
      .addColumn("res", "integer", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("depth", "integer", (c) => c.notNull())
      .addColumn("unacked", "integer", (c) => c.notNull())
      .addColumn("orphaned", "integer", (c) => c.notNull())
      .addColumn("rate_in", "double precision")
      .addColumn("rate_out", "double precision")
      .addPrimaryKeyConstraint("queue_samples_pk", ["broker", "queue", "res", "ts"])
      .execute();
    await db.schema.createIndex("queue_samples_res_ts").ifNotExists().on("queue_samples").columns(["res", "ts"]).execute();
    await db.schema.createTable("workers_seen").ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("hostname", "text", (c) => c.notNull())
      .addColumn("first_seen", ms, (c) => c.notNull())
      .addColumn("last_seen", ms, (c) => c.notNull())
      .addColumn("info", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("workers_seen_pk", ["broker", "hostname"])
      .execute();
    await db.schema.createTable("leases").ifNotExists()
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .execute();
    await db.schema.createTable("audit_heads").ifNotExists()
      .addColumn("instance", "text", (c) => c.primaryKey())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .execute();
  },
};

// Time-boxed changes (a pids raise that reverts unless confirmed), as `commit confirmed` on network gear.
const timeboxes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("timeboxes").ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("target_label", "text", (c) => c.notNull())
      .addColumn("revert_params", "text", (c) => c.notNull())
      .addColumn("audit_id", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("due_at", ms, (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull()) // pending | confirmed | reverted | failed
      .addColumn("settled_at", ms)
      .addColumn("settle_note", "text")
      .execute();
    await db.schema.createIndex("timeboxes_state_due").ifNotExists().on("timeboxes").columns(["state", "due_at"]).execute();
  },
};

export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_timeboxes": timeboxes,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
