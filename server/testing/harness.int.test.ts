// test-only: proves the fixtures behave like the failures Leakwatch must see, on a live Docker
// Engine (cgroup pids counters) and a live Redis with real Celery workers.
import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RUN_ID,
  cleanupCgroupParents,
  deleteBrokerKeys,
  containerHostPid,
  containerLogs,
  docker,
  ensureFixtureImage,
  groupAlive,
  kombuCount,
  produce,
  readPidsCurrent,
  readPidsMax,
  recordedMarkers,
  removeTestContainers,
  setCgroupPidsMax,
  startCeleryWorker,
  startLeaker,
  stopAllProcesses,
  waitFor,
} from "./harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "");
const keyPrefix = `lwtest-${tag}:`;

beforeAll(async () => {
  await ensureFixtureImage();
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  // Only this run's containers: other suites may be using theirs on the same engine.
  await removeTestContainers("run");
  await deleteBrokerKeys(keyPrefix);
  expect(await cleanupCgroupParents()).toEqual([]);
});

describe("leaker fixture", () => {
  it("grows its pids cgroup at roughly the requested rate, with named threads, and stops on SIGTERM", async () => {
    const ratePerSecond = 10;
    const id = await startLeaker({ name: `lw-test-rate-${tag}`, rate: ratePerSecond, pidsLimit: 1000 });
    const first = await waitFor(async () => ((await readPidsCurrent(id)) >= 3 ? readPidsCurrent(id) : false), {
      what: "first threads",
    });
    const t0 = Date.now();
    await sleep(3000);
    const second = await readPidsCurrent(id);
    const elapsedSeconds = (Date.now() - t0) / 1000;
    const observedRate = (second - first) / elapsedSeconds;
    expect(observedRate).toBeGreaterThan(ratePerSecond * 0.4);
    expect(observedRate).toBeLessThan(ratePerSecond * 1.6);

    const pid = await containerHostPid(id);
    const comms = await Promise.all(
      (await readdir(`/proc/${pid}/task`)).map((t) => readFile(`/proc/${pid}/task/${t}/comm`, "utf8")),
    );
    expect(comms.filter((c) => c.trim() === "leak-worker").length).toBeGreaterThanOrEqual(second - 2);

    await docker("stop", "-t", "10", id);
    expect(await docker("inspect", "-f", "{{.State.ExitCode}}", id)).toBe("0");
  });

  it("logs Python's \"can't start new thread\" at the container's pids limit and keeps running", async () => {
    const id = await startLeaker({ name: `lw-test-limit-${tag}`, rate: 50, pidsLimit: 16 });
    const logs = await waitFor(
      async () => {
        const text = await containerLogs(id);
        return text.includes("can't start new thread") ? text : false;
      },
      { what: "can't start new thread in the logs" },
    );
    expect(logs).toContain("pthread_create: Resource temporarily unavailable");
    expect(await readPidsMax(id)).toBe("16");
    expect(await readPidsCurrent(id)).toBe(16);
    expect(await docker("inspect", "-f", "{{.State.Running}}", id)).toBe("true");
  });

  it("is held by a tighter ancestor cgroup when its own pids.max is unlimited", async () => {
    const parent = `leakwatch-test-${tag}`;
    const written = await setCgroupPidsMax(parent, 12);
    expect(written.length).toBeGreaterThan(0);
    const id = await startLeaker({ name: `lw-test-parent-${tag}`, rate: 50, cgroupParent: `/${parent}` });
    await waitFor(async () => (await containerLogs(id)).includes("can't start new thread"), {
      what: "ancestor limit hit",
    });
    expect(await readPidsMax(id)).toBe("max");
    expect(await readPidsCurrent(id)).toBeLessThanOrEqual(12);
    await docker("rm", "-f", id);
    expect(await cleanupCgroupParents()).toEqual([]);
    for (const file of written) expect(existsSync(file)).toBe(false);
  });

  it("returns to its baseline in sawtooth mode and stays flat in healthy mode", async () => {
    const saw = await startLeaker({
      name: `lw-test-saw-${tag}`,
      mode: "sawtooth",
      baseline: 2,
      max: 20,
      rate: 100,
      holdSeconds: 1,
    });
    await waitFor(async () => (await readPidsCurrent(saw)) >= 21, { what: "sawtooth peak" });
    await waitFor(async () => (await readPidsCurrent(saw)) <= 3, { what: "sawtooth back to baseline" });

    const healthy = await startLeaker({ name: `lw-test-healthy-${tag}`, mode: "healthy", pool: 5 });
    await waitFor(async () => (await containerLogs(healthy)).includes("healthy pool of 5 threads ready"), {
      what: "pool ready",
    });
    const before = await readPidsCurrent(healthy);
    await sleep(1500);
    expect(before).toBe(6);
    expect(await readPidsCurrent(healthy)).toBe(6);
  });
});

describe("celery fixture", () => {
  // A prefix of our own keeps this run's queues apart from other suites sharing the test Redis.
  const env = {
    BROKER_TRANSPORT_OPTIONS: JSON.stringify({
      global_keyprefix: keyPrefix,
      priority_steps: [0, 3, 6, 9],
      visibility_timeout: 10,
      queue_order_strategy: "priority",
    }),
  };

  it("runs every produced task exactly once and kombu sees the queue fill and drain", async () => {
    const markerPrefix = `rt-${tag}`;
    const summary = await produce({
      queue: "dataset",
      count: 20,
      task: "tasks.record",
      priority: "mix",
      markerPrefix,
      env,
    });
    expect(summary.sent).toBe(20);
    expect((await kombuCount(["dataset"], env)).counts.dataset).toBe(20);

    const worker = startCeleryWorker({
      queues: ["dataset"],
      hostname: `rt-${tag}`,
      pool: "threads",
      concurrency: 4,
      env,
    });
    await worker.waitReady();
    const mine = await waitFor(
      async () => {
        const markers = (await recordedMarkers()).filter((m) => m.startsWith(`${markerPrefix}-`));
        return markers.length >= 20 ? markers : false;
      },
      { what: "20 recorded markers" },
    );
    await sleep(500); // a duplicate delivery would show up here
    const final = (await recordedMarkers()).filter((m) => m.startsWith(`${markerPrefix}-`));
    expect(final.length).toBe(mine.length);
    expect(new Set(final)).toEqual(new Set(summary.markers));
    expect(final.length).toBe(new Set(final).size);
    const after = await waitFor(
      async () => {
        const c = await kombuCount(["dataset"], env);
        return c.unacked === 0 ? c : false;
      },
      { what: "no unacked messages" },
    );
    expect(after.counts.dataset).toBe(0);

    const status = await worker.stop("SIGTERM");
    expect(status.code).toBe(0);
  });

  it("kills a prefork worker's whole process group with SIGKILL", async () => {
    const worker = startCeleryWorker({ queues: ["mail"], hostname: `pk-${tag}`, pool: "prefork", concurrency: 2, env });
    await worker.waitReady();
    expect(groupAlive(worker.pid)).toBe(true);
    const status = await worker.stop("SIGKILL");
    expect(status.signal).toBe("SIGKILL");
    await waitFor(() => !groupAlive(worker.pid), { what: "prefork children gone" });
  });
});
