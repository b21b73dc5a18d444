// Failed tasks from a real Celery 5.2 Redis result backend: real workers run tasks.fail (it records a marker, then
// raises ValueError), the console reads the backend with SCAN and keeps what failed in its store. The failures stay
// listed after their keys are gone and after the store is reopened; a retry through POST /api/actions runs the task
// again exactly once with the same arguments under a new id; a failure recorded without result_extended is
// explained and not retried.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
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
import { closeDb, getDb } from "@/server/db";
import { readWholeBackend, resetResultWalks } from "@/server/failures/pass";
import { failureAlertInputs } from "@/server/failures/alert-inputs";
import { evaluateConditions } from "@/server/alerts/conditions";
import { DEFAULT_RULES, RULE_IDS } from "@/server/alerts/types";
import type { FailureDetail, FailuresResponse } from "@/server/schemas/failures";
import { callJson, postAction, previewAction, startConsole, type TestConsole } from "@/server/testing/action-console";
import { counts, markersWithPrefix } from "@/server/testing/celery-checks";

const BROKER_DB = 11;
const BACKEND_DB = 12;
const RECORD_DB = 13;
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const celery = {
  BROKER_URL: testRedisUrl(BROKER_DB),
  RECORD_REDIS_URL: testRedisUrl(RECORD_DB),
  RESULT_BACKEND: testRedisUrl(BACKEND_DB),
};

let lw: TestConsole;
let backend: Redis;

function worker(name: string, env: Record<string, string>): WorkerHandle {
  return startCeleryWorker({
    queues: ["conversation"],
    hostname: `${name}-${tag}`,
    concurrency: 2,
    env: { ...celery, ...env },
  });
}

async function metaKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await backend.scan(cursor, "MATCH", "celery-task-meta-*", "COUNT", 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

async function failures(query = ""): Promise<FailuresResponse> {
  const { GET } = await import("@/app/api/failures/route");
  const r = await callJson<FailuresResponse>(GET, "/api/failures", { as: lw.users.viewer, query });
  expect(r.status).toBe(200);
  return r.body;
}

async function detail(taskId: string): Promise<FailureDetail> {
  const { GET } = await import("@/app/api/failures/[broker]/[taskId]/route");
  const r = await callJson<FailureDetail>(GET, `/api/failures/default/${taskId}`, {
    as: lw.users.viewer,
    params: { broker: "default", taskId },
  });
  expect(r.status).toBe(200);
  return r.body;
}

const withPrefix = (f: FailuresResponse, prefix: string) =>
  f.failures.filter((x) => x.excMessage?.startsWith(`leakwatch test failure ${prefix}-`));

beforeAll(async () => {
  await flushTestRedis([BROKER_DB, BACKEND_DB, RECORD_DB]);
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
  backend?.disconnect();
  await lw?.close();
  await flushTestRedis([BROKER_DB, BACKEND_DB, RECORD_DB]);
});

describe("failures from a Celery result backend", () => {
  const prefix = `fx${tag}`;
  let taskIds: string[] = [];

  it("lists failing tasks with their exception, traceback, worker, arguments and queue (result_extended)", async () => {
    const w = worker("ext", { RESULT_EXTENDED: "1" });
    await w.waitReady();
    await produce({ task: "tasks.fail", queue: "conversation", count: 3, markerPrefix: prefix, env: celery });
    await waitFor(async () => (await metaKeys()).length >= 3, { what: "3 result keys", timeoutMs: 60_000 });
    await readWholeBackend(getConfig().brokers[0]!);

    const f = await failures();
    const mine = withPrefix(f, prefix);
    expect(mine).toHaveLength(3);
    for (const x of mine) {
      expect(x.status).toBe("FAILURE");
      expect(x.excType).toBe("ValueError");
      expect(x.taskName).toBe("tasks.fail");
      expect(x.queue).toBe("conversation");
      expect(x.worker).toMatch(new RegExp(`^ext-${tag}@`));
      expect(x.retryBlocker).toBeNull();
      // showTaskArguments is off: arguments never leave the server.
      expect(x.args).toBeUndefined();
    }
    const group = f.groups.find((g) => g.taskName === "tasks.fail" && g.excType === "ValueError");
    expect(group?.count).toBe(3);
    expect(group?.hourly.reduce((a, b) => a + b, 0)).toBe(3);
    expect(f.backends[0]).toMatchObject({ broker: "default", configured: true, ok: true });

    // An admin sees the arguments once showTaskArguments is on; a viewer still does not.
    const dir = await mkdtemp(path.join(tmpdir(), "lw-failures-cfg-"));
    try {
      await writeFile(path.join(dir, "lw.json"), JSON.stringify({ showTaskArguments: true }));
      lw.reconfigure({ LEAKWATCH_CONFIG: path.join(dir, "lw.json") });
      const { GET } = await import("@/app/api/failures/route");
      const asAdmin = await callJson<FailuresResponse>(GET, "/api/failures", { as: lw.users.admin });
      const args = withPrefix(asAdmin.body, prefix).map((x) => x.args?.[0]);
      expect(args.sort()).toEqual([0, 1, 2].map((i) => `${prefix}-${i}`));
      expect(withPrefix(await failures(), prefix).every((x) => x.args === undefined)).toBe(true);
    } finally {
      lw.reconfigure({});
      await rm(dir, { recursive: true, force: true });
    }

    const d = await detail(mine[0]!.taskId);
    expect(d.traceback).toContain("Traceback (most recent call last)");
    expect(d.traceback).toContain(`raise ValueError("leakwatch test failure %s" % marker)`);
    expect(d.excModule).toBe("builtins");
    taskIds = mine.map((x) => x.taskId);

    // The failure-rate rule reads the same rows: three failures of tasks.fail within its window reach a threshold of 3.
    const rules = RULE_IDS.map((id) => ({ ...DEFAULT_RULES[id], updatedAt: null, updatedBy: null }));
    const rate = rules.find((r) => r.id === "task-failures")!;
    rate.params = { minFailures: 3, windowSeconds: 600 };
    const inputs = await failureAlertInputs(rules, Date.now());
    const fired = evaluateConditions({ failures: inputs }, rules).conditions.filter((c) => c.rule === "task-failures");
    expect(fired.map((c) => c.fingerprint)).toEqual(["task-failures|default|tasks.fail"]);
    rate.params = { minFailures: 4, windowSeconds: 600 };
    expect(evaluateConditions({ failures: await failureAlertInputs(rules, Date.now()) }, rules).conditions).toEqual([]);
  });

  it("keeps them after Redis lost the keys and after the store is reopened (a console restart)", async () => {
    const keys = (await metaKeys()).filter((k) => taskIds.some((id) => k.endsWith(id)));
    expect(keys).toHaveLength(3);
    await backend.del(...keys);
    resetResultWalks();
    await readWholeBackend(getConfig().brokers[0]!);
    expect(withPrefix(await failures(), prefix)).toHaveLength(3);

    await closeDb();
    resetResultWalks();
    await getDb();
    const after = withPrefix(await failures(), prefix);
    expect(after.map((x) => x.taskId).sort()).toEqual([...taskIds].sort());
    expect((await detail(taskIds[0]!)).traceback).toContain("leakwatch test failure");
  });

  it("retries one through the action registry: a new id, the same arguments, run exactly once", async () => {
    const original = await detail(taskIds[0]!);
    const marker = /leakwatch test failure (\S+)/.exec(original.excMessage ?? "")?.[1];
    expect(marker).toBeTruthy();
    expect(counts(await markersWithPrefix(prefix, RECORD_DB)).get(marker!)).toBe(1);

    const body = { action: "task.retry", target: { broker: "default", taskIds: [original.taskId] }, reason: "test" };
    const preview = await previewAction(lw.users.operator, body);
    expect(preview.body.blockers).toEqual([]);
    const r = await postAction(lw.users.operator, body);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("succeeded");
    const newId = /→ (\S+) on conversation/.exec(r.body.result ?? "")?.[1];
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(original.taskId);

    // The worker runs it: the marker appears a second time, and the new task fails with the same argument.
    await waitFor(async () => (await metaKeys()).some((k) => k.endsWith(newId!)), {
      what: "the retried task's result",
      timeoutMs: 60_000,
    });
    await sleep(1000); // a duplicate run would land here
    expect(counts(await markersWithPrefix(prefix, RECORD_DB)).get(marker!)).toBe(2);
    resetResultWalks();
    await readWholeBackend(getConfig().brokers[0]!);
    const again = await detail(newId!);
    expect(again.excMessage).toBe(`leakwatch test failure ${marker}`);
    expect(again.taskName).toBe("tasks.fail");
    expect((await detail(original.taskId)).retriedAs).toBe(newId);

    const audit = await lw.auditEntries();
    expect(audit.filter((e) => e.action === "task.retry").map((e) => e.kind)).toEqual(["intent", "outcome"]);
  });

  it("names a backend it cannot read without its password", async () => {
    const password = `pw-${tag}-secret`;
    lw.reconfigure({
      LEAKWATCH_RESULT_BACKENDS: `default=${testRedisUrl(BACKEND_DB).replace("//", `//lw-nobody:${password}@`)}`,
    });
    try {
      resetResultWalks();
      await expect(readWholeBackend(getConfig().brokers[0]!)).rejects.toThrow();
      const { GET } = await import("@/app/api/failures/route");
      const r = await callJson<FailuresResponse>(GET, "/api/failures", { as: lw.users.admin });
      expect(r.body.backends[0]).toMatchObject({ ok: false });
      expect(r.body.backends[0]!.error).toBeTruthy();
      expect(JSON.stringify(r.body)).not.toContain(password);
      // What was recorded stays listed while the backend cannot be read.
      expect(withPrefix(r.body, prefix).length).toBeGreaterThanOrEqual(3);
    } finally {
      lw.reconfigure({});
    }
  });

  it("explains, and does not retry, a failure recorded without result_extended", async () => {
    await stopAllProcesses("SIGTERM");
    const plainPrefix = `fp${tag}`;
    const w = worker("plain", {});
    await w.waitReady();
    await produce({ task: "tasks.fail", queue: "conversation", count: 1, markerPrefix: plainPrefix, env: celery });
    await waitFor(async () => (await markersWithPrefix(plainPrefix, RECORD_DB)).length === 1, {
      what: "the plain worker's run",
      timeoutMs: 60_000,
    });
    let plain: FailuresResponse["failures"] = [];
    await waitFor(
      async () => {
        resetResultWalks();
        await readWholeBackend(getConfig().brokers[0]!);
        plain = withPrefix(await failures(), plainPrefix);
        return plain.length === 1;
      },
      { what: "the plain failure in the store", timeoutMs: 30_000 },
    );
    const row = plain[0]!;
    expect(row.taskName).toBeNull();
    expect(row.retryBlocker).toContain("result_extended = True");
    expect(row.retryBlocker).toContain("task name, arguments, queue");

    const body = { action: "task.retry", target: { broker: "default", taskIds: [row.taskId] }, reason: "test" };
    const preview = await previewAction(lw.users.operator, body);
    expect(preview.body.blockers?.join(" ")).toContain("result_extended");
    const r = await postAction(lw.users.operator, body);
    expect(r.status).toBe(409);
    await sleep(1000);
    expect(await markersWithPrefix(plainPrefix, RECORD_DB)).toHaveLength(1);
  });
});
