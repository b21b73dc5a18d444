import "server-only";
import { sql } from "kysely";
import { getDb } from "@/server/db";
import type { TaskFailuresTable } from "@/server/db/schema";
import type { TaskOutcome } from "@/server/celery/results";
import type { FailureGroup, FailuresQuery } from "@/server/schemas/failures";

// The console's copy of what failed: one row per broker and task id, written by the result-backend pass and kept
// after Redis expires the key (Celery's result_expires is a day by default) and across console restarts.

const HOUR_MS = 3600_000;

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** Writes what a pass read; a task seen again (RETRY then FAILURE, SCAN returning a key twice) is updated in place. */
export async function upsertOutcomes(broker: string, outcomes: TaskOutcome[], nowMs = Date.now()): Promise<void> {
  if (outcomes.length === 0) return;
  const db = await getDb();
  // A few hundred rows per statement: both SQLite's variable limit and PostgreSQL's are far above this.
  for (let i = 0; i < outcomes.length; i += 200) {
    const rows = outcomes.slice(i, i + 200).map((o) => ({
      broker,
      task_id: o.taskId,
      status: o.status,
      task_name: o.name,
      exc_type: o.excType,
      exc_message: o.excMessage,
      exc_module: o.excModule,
      traceback: o.traceback,
      worker: o.worker,
      queue: o.queue,
      args: json(o.args),
      kwargs: json(o.kwargs),
      retries: o.retries,
      date_done: o.dateDoneMs,
      first_seen: nowMs,
      last_seen: nowMs,
    }));
    await db
      .insertInto("task_failures")
      .values(rows)
      .onConflict((oc) =>
        oc.columns(["broker", "task_id"]).doUpdateSet((eb) => ({
          status: eb.ref("excluded.status"),
          task_name: sql`coalesce(excluded.task_name, task_failures.task_name)`,
          exc_type: eb.ref("excluded.exc_type"),
          exc_message: eb.ref("excluded.exc_message"),
          exc_module: eb.ref("excluded.exc_module"),
          traceback: eb.ref("excluded.traceback"),
          worker: sql`coalesce(excluded.worker, task_failures.worker)`,
          queue: sql`coalesce(excluded.queue, task_failures.queue)`,
          args: sql`coalesce(excluded.args, task_failures.args)`,
          kwargs: sql`coalesce(excluded.kwargs, task_failures.kwargs)`,
          retries: eb.ref("excluded.retries"),
          date_done: eb.ref("excluded.date_done"),
          last_seen: eb.ref("excluded.last_seen"),
        })),
      )
      .execute();
    await nameFromSeen(
      broker,
      rows.filter((r) => r.task_name === null || r.queue === null).map((r) => r.task_id),
    );
  }
}

/**
 * A failure recorded without result_extended has no task name or queue; when the console saw the task's message
 * (server/failures/seen.ts) they come from there, so the groups and the queue and task filters find it too.
 */
async function nameFromSeen(broker: string, taskIds: string[]): Promise<void> {
  if (taskIds.length === 0) return;
  const db = await getDb();
  const seen = (column: "task_name" | "queue") =>
    sql`(select s.${sql.ref(column)} from seen_messages s where s.broker = task_failures.broker and s.task_id = task_failures.task_id)`;
  await db
    .updateTable("task_failures")
    .set({
      task_name: sql`coalesce(task_failures.task_name, ${seen("task_name")})`,
      queue: sql`coalesce(task_failures.queue, ${seen("queue")})`,
    })
    .where("broker", "=", broker)
    .where("task_id", "in", taskIds)
    .where((eb) => eb.or([eb("task_name", "is", null), eb("queue", "is", null)]))
    .execute();
}

type Filters = Omit<FailuresQuery, "limit">;

function filtered(f: Filters, nowMs: number) {
  return getDb().then((db) => {
    let q = db.selectFrom("task_failures");
    if (f.broker) q = q.where("broker", "=", f.broker);
    if (f.task) q = q.where("task_name", "=", f.task);
    if (f.exc) q = q.where("exc_type", "=", f.exc);
    if (f.queue) q = q.where("queue", "=", f.queue);
    if (f.worker) q = q.where("worker", "=", f.worker);
    if (f.status) q = q.where("status", "=", f.status);
    if (f.sinceHours) q = q.where(sql<number>`coalesce(date_done, first_seen)`, ">=", nowMs - f.sinceHours * HOUR_MS);
    return q;
  });
}

export async function listFailures(
  f: FailuresQuery,
  nowMs = Date.now(),
): Promise<{ rows: TaskFailuresTable[]; total: number }> {
  const q = await filtered(f, nowMs);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy(sql`coalesce(date_done, first_seen)`, "desc")
      .limit(f.limit)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function getFailure(broker: string, taskId: string): Promise<TaskFailuresTable | undefined> {
  const db = await getDb();
  return db
    .selectFrom("task_failures")
    .selectAll()
    .where("broker", "=", broker)
    .where("task_id", "=", taskId)
    .executeTakeFirst();
}

/** Counts per (task, exception type), with the last 24 hours per hour for a small trend. */
export async function failureGroups(f: Filters, nowMs = Date.now(), limit = 100): Promise<FailureGroup[]> {
  const q = await filtered(f, nowMs);
  const groups = await q
    .select((eb) => [
      "broker",
      "task_name",
      "exc_type",
      eb.fn.countAll<number>().as("n"),
      eb.fn.max(sql<number>`coalesce(date_done, first_seen)`).as("last"),
    ])
    .groupBy(["broker", "task_name", "exc_type"])
    .orderBy("n", "desc")
    .limit(limit)
    .execute();
  const since = nowMs - 24 * HOUR_MS;
  const hourlyRows = await q
    .select(["broker", "task_name", "exc_type", sql<number>`coalesce(date_done, first_seen)`.as("at")])
    .where(sql<number>`coalesce(date_done, first_seen)`, ">=", since)
    .execute();
  const key = (b: string, t: string | null, e: string | null) => `${b}\u0000${t ?? ""}\u0000${e ?? ""}`;
  const hourly = new Map<string, number[]>();
  for (const r of hourlyRows) {
    const k = key(r.broker, r.task_name, r.exc_type);
    const h = hourly.get(k) ?? new Array<number>(24).fill(0);
    const slot = Math.min(23, Math.floor((Number(r.at) - since) / HOUR_MS));
    h[slot] = (h[slot] ?? 0) + 1;
    hourly.set(k, h);
  }
  return groups.map((g) => ({
    broker: g.broker,
    taskName: g.task_name,
    excType: g.exc_type,
    count: Number(g.n),
    lastSeen: Number(g.last),
    hourly: hourly.get(key(g.broker, g.task_name, g.exc_type)) ?? new Array<number>(24).fill(0),
  }));
}

/** Records that a failure was re-published as newTaskId (shown on the row; a second retry is warned about). */
export async function markRetried(broker: string, taskId: string, newTaskId: string, actor: string): Promise<void> {
  const db = await getDb();
  await db
    .updateTable("task_failures")
    .set({ retried_as: newTaskId, retried_at: Date.now(), retried_by: actor })
    .where("broker", "=", broker)
    .where("task_id", "=", taskId)
    .execute();
}

/** When a failure happened: Celery's date_done, or when the console first saw it (RETRY has no date_done). */
const eventTime = sql<number>`coalesce(date_done, first_seen)`;

/** FAILUREs per broker and task that happened at or after sinceMs (alerts: failures of a task over a window). */
export async function failureCountsSince(
  sinceMs: number,
): Promise<{ broker: string; task: string | null; count: number }[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("task_failures")
    .select((eb) => ["broker", "task_name", eb.fn.countAll<number>().as("n")])
    .where("status", "=", "FAILURE")
    .where(eventTime, ">=", sinceMs)
    .groupBy(["broker", "task_name"])
    .execute();
  return rows.map((r) => ({ broker: r.broker, task: r.task_name, count: Number(r.n) }));
}

/**
 * Per broker and exception type: when it first happened, how often, and one task it came from; plus when the
 * broker's first recorded failure happened (alerts: an exception type not seen before).
 */
export async function exceptionTypeFirsts(): Promise<{
  types: { broker: string; exc: string; task: string | null; first: number; count: number }[];
  brokerFirst: Map<string, number>;
}> {
  const db = await getDb();
  const [types, brokers] = await Promise.all([
    db
      .selectFrom("task_failures")
      .select((eb) => [
        "broker",
        "exc_type",
        eb.fn.max("task_name").as("task"),
        eb.fn.min(eventTime).as("first"),
        eb.fn.countAll<number>().as("n"),
      ])
      .where("exc_type", "is not", null)
      .groupBy(["broker", "exc_type"])
      .execute(),
    db
      .selectFrom("task_failures")
      .select((eb) => ["broker", eb.fn.min(eventTime).as("first")])
      .groupBy("broker")
      .execute(),
  ]);
  return {
    types: types.map((r) => ({
      broker: r.broker,
      exc: r.exc_type as string,
      task: (r.task as string | null) ?? null,
      first: Number(r.first),
      count: Number(r.n),
    })),
    brokerFirst: new Map(brokers.map((b) => [b.broker, Number(b.first)])),
  };
}
