import "server-only";
import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

// Migrations written once for both dialects: only types both understand (text, integer, bigint, double precision).

const ms = "bigint" as const;

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("users")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("username", "text", (c) => c.notNull().unique())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable("sessions")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("csrf_token", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .addColumn("last_seen_at", ms, (c) => c.notNull())
      .addColumn("ip", "text")
      .execute();
    await db.schema
      .createTable("api_tokens")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("last_used_at", ms)
      .addColumn("revoked_at", ms)
      .execute();
    await db.schema
      .createTable("setup_tokens")
      .ifNotExists()
      .addColumn("token_hash", "text", (c) => c.primaryKey())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .addColumn("used_at", ms)
      .execute();
    await db.schema
      .createTable("login_attempts")
      .ifNotExists()
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("login_attempts_key_ts")
      .ifNotExists()
      .on("login_attempts")
      .columns(["key", "ts"])
      .execute();
    await db.schema
      .createTable("settings")
      .ifNotExists()
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("updated_at", ms, (c) => c.notNull())
      .addColumn("updated_by", "text")
      .execute();
    await db.schema
      .createTable("container_samples")
      .ifNotExists()
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
    await db.schema
      .createIndex("container_samples_res_ts")
      .ifNotExists()
      .on("container_samples")
      .columns(["res", "ts"])
      .execute();
    await db.schema
      .createTable("container_events")
      .ifNotExists()
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("container_id", "text", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("attributes", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("container_events_pk", ["host", "container_id", "ts", "action"])
      .execute();
    await db.schema
      .createTable("queue_samples")
      .ifNotExists()
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
    await db.schema
      .createIndex("queue_samples_res_ts")
      .ifNotExists()
      .on("queue_samples")
      .columns(["res", "ts"])
      .execute();
    await db.schema
      .createTable("workers_seen")
      .ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("hostname", "text", (c) => c.notNull())
      .addColumn("first_seen", ms, (c) => c.notNull())
      .addColumn("last_seen", ms, (c) => c.notNull())
      .addColumn("info", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("workers_seen_pk", ["broker", "hostname"])
      .execute();
    await db.schema
      .createTable("leases")
      .ifNotExists()
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("expires_at", ms, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("audit_heads")
      .ifNotExists()
      .addColumn("instance", "text", (c) => c.primaryKey())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .execute();
  },
};

// Time-boxed changes (a pids raise that reverts unless confirmed), as `commit confirmed` on network gear.
const timeboxes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("timeboxes")
      .ifNotExists()
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
    await db.schema
      .createIndex("timeboxes_state_due")
      .ifNotExists()
      .on("timeboxes")
      .columns(["state", "due_at"])
      .execute();
  },
};

// Alerts (rules, lifecycle, webhook deliveries) and runbook runs with their shared timeline (issue 6).
const alertsRunbooks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("alert_rules")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("enabled", "integer", (c) => c.notNull())
      .addColumn("for_seconds", "integer", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("params", "text", (c) => c.notNull())
      .addColumn("updated_at", ms, (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("alerts")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("rule", "text", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("target_label", "text", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("value", "double precision")
      .addColumn("state", "text", (c) => c.notNull()) // pending | firing | acknowledged | silenced | resolved
      .addColumn("pending_since", ms, (c) => c.notNull())
      .addColumn("fired_at", ms)
      .addColumn("acked_by", "text")
      .addColumn("acked_at", ms)
      .addColumn("silenced_until", ms)
      .addColumn("silenced_by", "text")
      .addColumn("silence_comment", "text")
      .addColumn("resolved_at", ms)
      .addColumn("notified_at", ms)
      .addColumn("updated_at", ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("alerts_state").ifNotExists().on("alerts").columns(["state", "updated_at"]).execute();
    await db.schema
      .createTable("alert_deliveries")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("group_key", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("format", "text", (c) => c.notNull())
      .addColumn("items", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull()) // queued | retrying | sent | failed
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("not_before", ms, (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("sent_at", ms)
      .addColumn("last_error", "text")
      .addColumn("response_status", "integer")
      .execute();
    await db.schema
      .createIndex("alert_deliveries_status")
      .ifNotExists()
      .on("alert_deliveries")
      .columns(["status", "not_before"])
      .execute();
    await db.schema
      .createTable("runbook_runs")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull()) // thread-leak | queue-backlog
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("target_label", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull()) // open | closed
      .addColumn("alert_id", "text")
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", ms, (c) => c.notNull())
      .addColumn("updated_at", ms, (c) => c.notNull())
      .addColumn("verify_minutes", "double precision", (c) => c.notNull())
      .addColumn("verify_share", "double precision", (c) => c.notNull())
      .addColumn("verify_state", "text")
      .execute();
    await db.schema
      .createTable("runbook_entries")
      .ifNotExists()
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull()) // created | step | note | action | verify | settings | closed
      .addColumn("step", "text")
      .addColumn("detail", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("runbook_entries_run")
      .ifNotExists()
      .on("runbook_entries")
      .columns(["run_id", "ts"])
      .execute();
  },
};

// History keyed by a small integer series id instead of (host, 64-character container id) or (broker, queue name)
// on every row: 7 days of 200 containers and 1,000 queues took 603 MiB, most of it those keys repeated in the
// rows and again in the primary-key index. On SQLite the point tables are WITHOUT ROWID (the primary key is the
// table), so a row is its numbers; retention walks that key series by series, so no second index is needed.
// Existing history is carried over.
const historySeries: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    const points = (name: string) => {
      const t = db.schema
        .createTable(name)
        .ifNotExists()
        .addColumn("series_id", "integer", (c) => c.notNull())
        .addColumn("res", "integer", (c) => c.notNull())
        .addColumn("ts", ms, (c) => c.notNull());
      return t;
    };
    await db.schema
      .createTable("series")
      .ifNotExists()
      .addColumn("id", postgres ? "serial" : "integer", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addUniqueConstraint("series_kind_scope_key", ["kind", "scope", "key"])
      .execute();
    const noRowid = <T extends { modifyEnd(s: ReturnType<typeof sql.raw>): T }>(t: T): T =>
      postgres ? t : t.modifyEnd(sql.raw("without rowid"));
    await noRowid(
      points("container_points")
        .addColumn("pids_current", "integer")
        .addColumn("pids_limit", "integer")
        .addColumn("effective_limit", "integer")
        .addColumn("refused_total", "integer")
        .addPrimaryKeyConstraint("container_points_pk", ["series_id", "res", "ts"]),
    ).execute();
    await noRowid(
      points("queue_points")
        .addColumn("depth", "integer", (c) => c.notNull())
        .addColumn("unacked", "integer", (c) => c.notNull())
        .addColumn("orphaned", "integer", (c) => c.notNull())
        .addColumn("rate_in", "double precision")
        .addColumn("rate_out", "double precision")
        .addPrimaryKeyConstraint("queue_points_pk", ["series_id", "res", "ts"]),
    ).execute();

    // A container's series takes the name of its newest row (it may have been renamed).
    await sql`insert into series (kind, scope, key, name)
      select 'container', c.host, c.container_id,
        (select n.name from container_samples n where n.host = c.host and n.container_id = c.container_id order by n.ts desc limit 1)
      from container_samples c group by c.host, c.container_id`.execute(db);
    await sql`insert into container_points (series_id, res, ts, pids_current, pids_limit, effective_limit, refused_total)
      select s.id, c.res, c.ts, c.pids_current, c.pids_limit, c.effective_limit, c.refused_total
      from container_samples c join series s on s.kind = 'container' and s.scope = c.host and s.key = c.container_id`.execute(
      db,
    );
    await sql`insert into series (kind, scope, key, name)
      select distinct 'queue', broker, queue, queue from queue_samples`.execute(db);
    await sql`insert into queue_points (series_id, res, ts, depth, unacked, orphaned, rate_in, rate_out)
      select s.id, q.res, q.ts, q.depth, q.unacked, q.orphaned, q.rate_in, q.rate_out
      from queue_samples q join series s on s.kind = 'queue' and s.scope = q.broker and s.key = q.queue`.execute(db);
    await db.schema.dropTable("container_samples").execute();
    await db.schema.dropTable("queue_samples").execute();
  },
};

// Login throttling as one row per key with a growing delay (compare-and-set, so parallel guesses can't overshoot);
// API tokens get an optional expiry and the id of the user who created them (refused once that user is gone).
const security: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("login_throttle")
      .ifNotExists()
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("not_before", ms, (c) => c.notNull())
      .addColumn("updated_at", ms, (c) => c.notNull())
      .execute();
    await db.schema.dropTable("login_attempts").ifExists().execute();
    await db.schema.alterTable("api_tokens").addColumn("expires_at", ms).execute();
    await db.schema.alterTable("api_tokens").addColumn("created_by_id", "text").execute();
  },
};

// Task outcomes read from Celery's result backend (FAILURE, RETRY, REVOKED), kept after Redis expires them.
// One row per broker and task id; a retry through the console records the new task's id on the row it came from.
const taskFailures: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("task_failures")
      .ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("task_name", "text")
      .addColumn("exc_type", "text")
      .addColumn("exc_message", "text")
      .addColumn("exc_module", "text")
      .addColumn("traceback", "text")
      .addColumn("worker", "text")
      .addColumn("queue", "text")
      .addColumn("args", "text")
      .addColumn("kwargs", "text")
      .addColumn("retries", "integer")
      .addColumn("date_done", ms)
      .addColumn("first_seen", ms, (c) => c.notNull())
      .addColumn("last_seen", ms, (c) => c.notNull())
      .addColumn("retried_as", "text")
      .addColumn("retried_at", ms)
      .addColumn("retried_by", "text")
      .addPrimaryKeyConstraint("task_failures_pk", ["broker", "task_id"])
      .execute();
    await db.schema
      .createIndex("task_failures_seen")
      .ifNotExists()
      .on("task_failures")
      .columns(["broker", "first_seen"])
      .execute();
    await db.schema
      .createIndex("task_failures_group")
      .ifNotExists()
      .on("task_failures")
      .columns(["broker", "task_name", "exc_type"])
      .execute();
  },
};

// Paused queues (issue 13): one row per paused queue, deleted on resume (the audit log keeps the history). `workers`
// is a JSON list of the hostnames told to stop consuming it, so resume can start them again.
const queuePauses: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("queue_pauses")
      .ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("queue", "text", (c) => c.notNull())
      .addColumn("paused_by", "text", (c) => c.notNull())
      .addColumn("paused_at", ms, (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("audit_id", "text", (c) => c.notNull())
      .addColumn("workers", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("queue_pauses_pk", ["broker", "queue"])
      .execute();
  },
};

// Task timings from Celery events (issue 14): per task name (a series of kind "task", scope = broker) counts and
// sparse latency histograms (JSON index -> count, see server/tasks/histogram.ts), tiered like the other history;
// and which queues a task name was seen on (task-sent events name the queue).
const taskTimings: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    let points = db.schema
      .createTable("task_points")
      .ifNotExists()
      .addColumn("series_id", "integer", (c) => c.notNull())
      .addColumn("res", "integer", (c) => c.notNull())
      .addColumn("ts", ms, (c) => c.notNull())
      .addColumn("sent", "integer", (c) => c.notNull())
      .addColumn("received", "integer", (c) => c.notNull())
      .addColumn("started", "integer", (c) => c.notNull())
      .addColumn("succeeded", "integer", (c) => c.notNull())
      .addColumn("failed", "integer", (c) => c.notNull())
      .addColumn("retried", "integer", (c) => c.notNull())
      .addColumn("runtime_hist", "text", (c) => c.notNull())
      .addColumn("wait_hist", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("task_points_pk", ["series_id", "res", "ts"]);
    if (!postgres) points = points.modifyEnd(sql.raw("without rowid"));
    await points.execute();
    await db.schema
      .createTable("task_queues")
      .ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("task", "text", (c) => c.notNull())
      .addColumn("queue", "text", (c) => c.notNull())
      .addColumn("last_seen", ms, (c) => c.notNull())
      .addPrimaryKeyConstraint("task_queues_pk", ["broker", "queue", "task"])
      .execute();
  },
};

// Task messages the console saw in a queue before they ran (issue 14): at a queue's head, held by a worker (kombu's
// unacked hash) or in the message browser. One row per broker and task id with the envelope as kombu wrote it, so a
// failure recorded without result_extended can still be re-published; pruned by age and count (server/failures/seen.ts).
const seenMessages: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("seen_messages")
      .ifNotExists()
      .addColumn("broker", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("task_name", "text", (c) => c.notNull())
      .addColumn("queue", "text", (c) => c.notNull())
      .addColumn("exchange", "text")
      .addColumn("routing_key", "text")
      .addColumn("priority", "integer", (c) => c.notNull())
      .addColumn("envelope", "text", (c) => c.notNull())
      .addColumn("seen_at", ms, (c) => c.notNull())
      .addPrimaryKeyConstraint("seen_messages_pk", ["broker", "task_id"])
      .execute();
    await db.schema.createIndex("seen_messages_at").ifNotExists().on("seen_messages").column("seen_at").execute();
  },
};

export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_timeboxes": timeboxes,
  "0003_alerts_runbooks": alertsRunbooks,
  "0004_history_series": historySeries,
  "0005_security": security,
  "0006_task_failures": taskFailures,
  "0007_queue_pauses": queuePauses,
  "0008_task_timings": taskTimings,
  "0009_seen_messages": seenMessages,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
