// Retry of failures the result backend recorded WITHOUT result_extended, from the task message the console saw in
// the queue before the task ran (issue 14). Real Celery 5.2 producers and workers, a real Redis broker and result
// backend: failing tasks are published with apply_async while nobody consumes their queue, a broker pass (and the
// message browser) sees them, then a worker runs them and they fail. The failures are listed as retryable from the
// seen message; a bulk retry through POST /api/actions re-publishes them under new ids with the same arguments and
// priority, and each runs again exactly once. A failure whose message the console never saw is explained, not retried.
// A message a prefetching worker holds (kombu's unacked hash) is seen too.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RUN_ID,
  flushTestRedis,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { getConfig } from "@/server/config";
import { parseEnvelope } from "@/server/celery/envelope";
import { layoutOf, queueKey, unackedKeys } from "@/server/celery/kombu-keys";
import { sampleBroker } from "@/server/celery/sampler";
import { readWholeBackend, resetResultWalks } from "@/server/failures/pass";
import { flushSeenMessages, getSeenMessage } from "@/server/failures/seen";
import type { FailuresResponse } from "@/server/schemas/failures";
import type { MessagePageResponse } from "@/server/schemas/messages";
import { callJson, postAction, previewAction, startConsole, type TestConsole } from "@/server/testing/action-console";
import { counts, markersWithPrefix } from "@/server/testing/celery-checks";

const BROKER_DB = 11;
const BACKEND_DB = 12;
const RECORD_DB = 13;
const QUEUE = "conversation";
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10);

const celery = {
  BROKER_URL: testRedisUrl(BROKER_DB),
  RECORD_REDIS_URL: testRedisUrl(RECORD_DB),
  RESULT_BACKEND: testRedisUrl(BACKEND_DB),
};

let lw: TestConsole;
let broker: Redis;
let backend: Redis;

function worker(name: string, env: Record<string, string> = {}, concurrency = 2): WorkerHandle {
  // No RESULT_EXTENDED: the backend records status, exception and traceback only.
  return startCeleryWorker({ queues: [QUEUE], hostname: `${name}-${tag}`, concurrency, env: { ...celery, ...env } });
}

const brokerConfig = () => getConfig().brokers[0]!;

/** One console broker pass (what the sampler schedule runs), and the write of the messages it saw. */
async function brokerPass(): Promise<void> {
  const s = await sampleBroker(brokerConfig(), { pidboxTimeoutMs: 500 });
  expect(s.ok).toBe(true);
  await flushSeenMessages("default");
}

async function failures(): Promise<FailuresResponse> {
  const { GET } = await import("@/app/api/failures/route");
  const r = await callJson<FailuresResponse>(GET, "/api/failures", { as: lw.users.viewer });
  expect(r.status).toBe(200);
  return r.body;
}

const withPrefix = (f: FailuresResponse, prefix: string) =>
  f.failures.filter((x) => x.excMessage?.startsWith(`leakwatch test failure ${prefix}-`));
const markerOf = (excMessage: string | null) => /leakwatch test failure (\S+)/.exec(excMessage ?? "")?.[1];

async function resultOf(id: string): Promise<{ status: string } | null> {
  const raw = await backend.get(`celery-task-meta-${id}`);
  return raw ? (JSON.parse(raw) as { status: string }) : null;
}

/** Reads the backend until `n` failures with this marker prefix are in the store. */
async function failuresWith(prefix: string, n: number): Promise<FailuresResponse["failures"]> {
  let found: FailuresResponse["failures"] = [];
  await waitFor(
    async () => {
      resetResultWalks();
      await readWholeBackend(brokerConfig());
      found = withPrefix(await failures(), prefix);
      return found.length === n;
    },
    { what: `${n} failures ${prefix}-* in the store`, timeoutMs: 60_000 },
  );
  return found;
}

beforeAll(async () => {
  await flushTestRedis([BROKER_DB, BACKEND_DB, RECORD_DB]);
  broker = new Redis(testRedisUrl(BROKER_DB), { maxRetriesPerRequest: 1 });
  backend = new Redis(testRedisUrl(BACKEND_DB), { maxRetriesPerRequest: 1 });
  lw = await startConsole({
    LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}`,
    LEAKWATCH_RESULT_BACKENDS: `default=${testRedisUrl(BACKEND_DB)}`,
    LEAKWATCH_QUEUE_PRESETS: "dify",
  });
  resetResultWalks();
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  broker?.disconnect();
  backend?.disconnect();
  await lw?.close();
  await flushTestRedis([BROKER_DB, BACKEND_DB, RECORD_DB]);
});

describe("retry from the message the console saw in the queue (no result_extended)", () => {
  const seenPrefix = `fs${tag}`;
  const unseenPrefix = `fu${tag}`;
  let seenIds: string[] = [];
  let unseenId = "";

  it("records the messages a broker pass and the message browser read, then lists their failures as retryable", async () => {
    // Nobody consumes the queue yet: two failing tasks at priority 6 wait in it.
    await produce({ task: "tasks.fail", queue: QUEUE, count: 2, priority: 6, markerPrefix: seenPrefix, env: celery });
    const layout = layoutOf(brokerConfig());
    const listKey = queueKey(layout, QUEUE, 6);
    expect(await broker.llen(listKey)).toBe(2);
    const waiting = (await broker.lrange(listKey, 0, -1)).map((raw) => {
      const m = parseEnvelope(raw);
      if (!m.ok) throw new Error(m.error.message);
      return m.value.id!;
    });

    // The broker pass reads the next message (the list's tail); the message browser reads the page with both.
    await brokerPass();
    const next = waiting[waiting.length - 1]!;
    expect(await getSeenMessage("default", next)).toMatchObject({ task_name: "tasks.fail", queue: QUEUE, priority: 6 });
    expect(await getSeenMessage("default", waiting[0]!)).toBeUndefined();
    const { GET } = await import("@/app/api/queues/[broker]/[queue]/messages/route");
    const page = await callJson<MessagePageResponse>(GET, `/api/queues/default/${QUEUE}/messages`, {
      as: lw.users.viewer,
      params: { broker: "default", queue: QUEUE },
    });
    expect(page.status).toBe(200);
    expect(page.body.messages).toHaveLength(2);
    const stored = await getSeenMessage("default", waiting[0]!);
    expect(stored).toMatchObject({ task_name: "tasks.fail", queue: QUEUE, priority: 6 });
    // The envelope is kept exactly as kombu wrote it in the list.
    expect(await broker.lrange(listKey, 0, -1)).toContain(stored!.envelope);

    // Now a worker (without result_extended) runs both; they fail.
    const w = worker("seen");
    await w.waitReady();
    await waitFor(async () => (await markersWithPrefix(seenPrefix, RECORD_DB)).length === 2, {
      what: "both seen tasks ran",
      timeoutMs: 60_000,
    });
    // One more failing task goes straight to the busy worker: the console never sees its message.
    await produce({ task: "tasks.fail", queue: QUEUE, count: 1, markerPrefix: unseenPrefix, env: celery });
    await waitFor(async () => (await markersWithPrefix(unseenPrefix, RECORD_DB)).length === 1, {
      what: "the unseen task ran",
      timeoutMs: 60_000,
    });

    const seen = await failuresWith(seenPrefix, 2);
    seenIds = seen.map((x) => x.taskId);
    expect(seenIds.sort()).toEqual([...waiting].sort());
    for (const x of seen) {
      expect(x.status).toBe("FAILURE");
      expect(x.retryBlocker).toBeNull();
      expect(x.retrySource).toMatchObject({ kind: "seen", queue: QUEUE });
      // The backend recorded no name; the seen message names the task and its queue.
      expect(x.taskName).toBe("tasks.fail");
      expect(x.queue).toBe(QUEUE);
      expect(x.args).toBeUndefined();
    }
    const [unseen] = await failuresWith(unseenPrefix, 1);
    unseenId = unseen!.taskId;
    expect(unseen!.retrySource).toBeNull();
    expect(unseen!.retryBlocker).toContain("result_extended = True");
    expect(unseen!.retryBlocker).toContain("never saw this one");
  });

  it("explains, and does not retry, the failure whose message it never saw", async () => {
    const body = { action: "task.retry", target: { broker: "default", taskIds: [unseenId] }, reason: "test" };
    const preview = await previewAction(lw.users.operator, body);
    expect(preview.body.blockers?.join(" ")).toContain("result_extended");
    expect(preview.body.blockers?.join(" ")).toContain("saw it in the queue");
    const r = await postAction(lw.users.operator, body);
    expect(r.status).toBe(409);
    expect(await markersWithPrefix(unseenPrefix, RECORD_DB)).toHaveLength(1);
  });

  it("bulk-retries the seen ones: new ids, the same arguments and priority, each run exactly once", async () => {
    // Stop the worker first, so the re-published messages can be looked at in the queue before they run.
    await stopAllProcesses("SIGTERM");
    const before = counts(await markersWithPrefix(seenPrefix, RECORD_DB));
    expect([...before.values()]).toEqual([1, 1]);

    const body = {
      action: "task.retry",
      target: { broker: "default", taskIds: [...seenIds, unseenId] },
      reason: "test",
    };
    const preview = await previewAction(lw.users.operator, body);
    expect(preview.status).toBe(200);
    expect(preview.body.blockers).toEqual([]);
    expect(preview.body.summary).toContain("the messages the console saw in their queues");
    expect(preview.body.targets).toHaveLength(2);
    for (const t of preview.body.targets ?? []) {
      expect(t).toMatch(new RegExp(`from the message seen in queue ${QUEUE} at \\d{4}-\\d\\d-\\d\\dT`));
      expect(t).toContain("priority 6");
    }
    expect(preview.body.warnings?.some((w) => w.startsWith(`Skipped: task ${unseenId}`))).toBe(true);
    // Arguments never appear in a preview.
    expect(JSON.stringify(preview.body)).not.toContain(`${seenPrefix}-`);

    const r = await postAction(lw.users.operator, body);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("succeeded");
    expect(r.body.verify?.ok).toBe(true);
    const pairs = [...(r.body.result ?? "").matchAll(/(\S+) → (\S+) on conversation/g)].map(
      (m) => [m[1]!, m[2]!] as const,
    );
    expect(pairs.map(([from]) => from).sort()).toEqual([...seenIds].sort());
    const newIds = pairs.map(([, to]) => to);
    for (const id of newIds) expect(seenIds).not.toContain(id);

    // In the priority-6 list: the same task and arguments as the originals, new ids linked to the failed ones.
    const layout = layoutOf(brokerConfig());
    const waiting = await broker.lrange(queueKey(layout, QUEUE, 6), 0, -1);
    expect(waiting).toHaveLength(2);
    for (const raw of waiting) {
      const m = parseEnvelope(raw, { withBody: true });
      if (!m.ok) throw new Error(m.error.message);
      const from = pairs.find(([, to]) => to === m.value.id)?.[0];
      expect(from).toBeTruthy();
      const original = parseEnvelope((await getSeenMessage("default", from!))!.envelope, { withBody: true });
      if (!original.ok) throw new Error(original.error.message);
      expect(m.value.task).toBe("tasks.fail");
      expect(m.value.args).toEqual(original.value.args);
      expect(m.value.kwargs).toEqual(original.value.kwargs);
      expect(m.value.priority).toBe(6);
      expect(m.value.parentId).toBe(from);
      expect(m.value.rootId).toBe(original.value.rootId);
    }

    // A worker runs each once: every marker appears a second time, under the new ids.
    const w = worker("again");
    await w.waitReady();
    await waitFor(async () => (await Promise.all(newIds.map(resultOf))).every((x) => x?.status === "FAILURE"), {
      what: "the retried tasks' results",
      timeoutMs: 60_000,
    });
    await new Promise((res) => setTimeout(res, 1000)); // a duplicate run would land here
    const after = counts(await markersWithPrefix(seenPrefix, RECORD_DB));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...after.values()]).toEqual([2, 2]);
    expect(await markersWithPrefix(unseenPrefix, RECORD_DB)).toHaveLength(1);

    const listed = await failuresWith(seenPrefix, 4);
    for (const id of seenIds) expect(listed.find((x) => x.taskId === id)?.retriedAs).toBeTruthy();
    // The console wrote the new messages, so it saw them: the new failures can be retried again in turn.
    const again = listed.filter((x) => newIds.includes(x.taskId));
    expect(again).toHaveLength(2);
    for (const x of again) {
      expect(markerOf(x.excMessage)).toMatch(new RegExp(`^${seenPrefix}-`));
      expect(x.retrySource).toMatchObject({ kind: "seen", queue: QUEUE });
      expect(x.taskName).toBe("tasks.fail");
    }
    const audit = await lw.auditEntries();
    expect(audit.filter((e) => e.action === "task.retry").map((e) => e.kind)).toEqual(["intent", "outcome"]);
  });

  it("sees a message a prefetching worker holds (kombu's unacked hash) and retries its failure from it", async () => {
    await stopAllProcesses("SIGTERM");
    const heldPrefix = `fh${tag}`;
    // One slot, four prefetched: while tasks.slow runs, the failing task waits in the worker, in kombu's unacked hash.
    const w = worker("prefetch", { PREFETCH_MULTIPLIER: "4" }, 1);
    await w.waitReady();
    await produce({ task: "tasks.slow", queue: QUEUE, count: 1, slowSeconds: 10, env: celery });
    await produce({ task: "tasks.fail", queue: QUEUE, count: 1, markerPrefix: heldPrefix, env: celery });
    const layout = layoutOf(brokerConfig());
    // The running task was acked when it started (acks_late is off); the failing one waits in the hash.
    await waitFor(
      async () => (await broker.hvals(unackedKeys(layout).unacked)).some((v) => v.includes(`${heldPrefix}-0`)),
      { what: "the failing task held by the worker", timeoutMs: 30_000 },
    );
    expect(await markersWithPrefix(heldPrefix, RECORD_DB)).toHaveLength(0);
    await brokerPass();
    await waitFor(async () => (await markersWithPrefix(heldPrefix, RECORD_DB)).length === 1, {
      what: "the held task ran",
      timeoutMs: 60_000,
    });
    const [held] = await failuresWith(heldPrefix, 1);
    expect(held!.retrySource).toMatchObject({ kind: "seen", queue: QUEUE });
    expect(held!.retryBlocker).toBeNull();

    const body = { action: "task.retry", target: { broker: "default", taskIds: [held!.taskId] }, reason: "test" };
    const preview = await previewAction(lw.users.operator, body);
    expect(preview.body.summary).toMatch(/rebuilt from the message seen in queue conversation at \d{4}-\d\d-\d\dT/);
    const r = await postAction(lw.users.operator, body);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("succeeded");
    const newId = /→ (\S+) on conversation/.exec(r.body.result ?? "")?.[1];
    expect(newId).toBeTruthy();
    await waitFor(async () => (await resultOf(newId!))?.status === "FAILURE", {
      what: "the retried held task's result",
      timeoutMs: 60_000,
    });
    await new Promise((res) => setTimeout(res, 1000));
    expect(counts(await markersWithPrefix(heldPrefix, RECORD_DB)).get(`${heldPrefix}-0`)).toBe(2);
  });
});
