// A moved message belongs to its new queue, also for kombu's own redelivery: messages moved from workflow to
// conversation are taken by a real Celery 5.2 worker on conversation (acks_late, prefetch), that worker is
// SIGKILLed, and kombu's QoS.restore_visible (run by kombu itself, from Python) puts every one back into
// conversation - none into workflow, none lost or doubled - and a worker then runs each exactly once.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CELERY_DIR, PYTHON, celeryEnv, produce, run, startCeleryWorker, waitFor } from "@/server/testing/harness";
import {
  all,
  byStep,
  expectedMarkers,
  firstArg,
  markersWith,
  celeryTestNamespace,
  parse,
  routeOf,
} from "@/server/testing/queue-ops";
import { unackedKeys } from "./keys";
import { moveMessages } from "./move";

const freshNamespace = celeryTestNamespace();

const VISIBILITY_TIMEOUT_SECONDS = 3;

async function kombuRestore(env: Record<string, string>): Promise<number> {
  const { stdout } = await run(PYTHON, [path.join(CELERY_DIR, "kombu_restore.py")], {
    cwd: CELERY_DIR,
    env: celeryEnv(env),
  });
  return (JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { restored: number }).restored;
}

describe("a moved message and kombu's redelivery", () => {
  it("comes back to the queue it was moved to when the worker holding it dies", async () => {
    const ns = await freshNamespace();
    const env = ns.env({ visibility_timeout: VISIBILITY_TIMEOUT_SECONDS });
    // Two slow tasks hold both threads of the worker below, so the record tasks behind them are only prefetched.
    await produce({ queue: "workflow", task: "tasks.slow", slowSeconds: 60, count: 2, env });
    const { sent } = await produce({
      queue: "workflow",
      task: "tasks.record",
      count: 6,
      priority: "mix",
      markerPrefix: ns.markerPrefix,
      env,
    });
    const moved = await moveMessages(ns.redis, { ...ns, from: "workflow", to: "conversation" });
    expect(moved).toMatchObject({ moved: 2 + sent, notRetargeted: 0 });

    const holder = startCeleryWorker({
      queues: ["conversation"],
      hostname: `qo-redeliver-${process.pid}`,
      concurrency: 2,
      env: { ...env, TASK_ACKS_LATE: "1", PREFETCH_MULTIPLIER: "4" },
    });
    await holder.waitReady();
    const keys = unackedKeys(ns);
    await waitFor(async () => (await ns.redis.hlen(keys.unacked)) === 2 + sent || undefined, {
      what: "every message taken by the worker",
      timeoutMs: 60_000,
    });
    // The route kombu stored with each unacked entry is the new queue.
    const entries = Object.values(await ns.redis.hgetall(keys.unacked)).map(
      (v) => JSON.parse(v) as [unknown, string, string],
    );
    expect(new Set(entries.map(([, ex, rk]) => `${ex}/${rk}`))).toEqual(new Set(["/conversation"]));
    await holder.stop("SIGKILL");

    await new Promise((r) => setTimeout(r, (VISIBILITY_TIMEOUT_SECONDS + 1) * 1000));
    expect(await kombuRestore(env)).toBe(2 + sent);
    expect(await ns.redis.hlen(keys.unacked)).toBe(0);
    expect(all(await byStep(ns, "workflow"))).toEqual([]);
    const back = all(await byStep(ns, "conversation"));
    expect(back.map((m) => parse(m).headers.task).sort()).toEqual([
      ...Array(sent).fill("tasks.record"),
      ...Array(2).fill("tasks.slow"),
    ]);
    expect(
      back
        .filter((m) => parse(m).headers.task === "tasks.record")
        .map((m) => firstArg(parse(m)))
        .sort(),
    ).toEqual(expectedMarkers(ns.markerPrefix, sent));
    expect(new Set(back.map(routeOf))).toEqual(new Set(["/conversation"]));

    const runner = startCeleryWorker({
      queues: ["conversation"],
      hostname: `qo-redeliver2-${process.pid}`,
      concurrency: 4,
      env,
    });
    await runner.waitReady();
    await waitFor(async () => (await markersWith(ns.markerPrefix)).length >= sent || undefined, {
      what: "all markers",
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
    expect((await markersWith(ns.markerPrefix)).sort()).toEqual(expectedMarkers(ns.markerPrefix, sent));
  });
});
