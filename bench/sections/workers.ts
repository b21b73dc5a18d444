// Section: what the console's remote-control round costs a real Celery 5.2 worker (issue 18, goal 2). One worker
// (prefork, concurrency 2, Celery's default pool; heartbeats on as by default) consumes Dify's 16 queues on the bench
// db. Measured: the worker's CPU (utime+stime of its whole process group, from /proc) while idle, per request of each
// inspect command the console sends, and per worker-inventory round; the requests a round publishes are counted on
// the pidbox channel itself (SUBSCRIBE), not taken from the code. Each round is run twice: as a first round (all
// inspections) and as the console runs it pass after pass (four every pass, active_queues and registered on their
// cadence).
import { readdirSync, readFileSync } from "node:fs";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import { fanoutChannels, layoutOf, pidboxExchange } from "@/server/celery/kombu-keys";
import { broadcast } from "@/server/celery/pidbox";
import { getWorkerInventory, INSPECTIONS, resetWorkerInventory } from "@/server/celery/workers";
import { startCeleryWorker, type WorkerHandle } from "@/server/testing/celery-fixtures";
import { CLOCK_TICK_MS } from "../lib/engine-cpu";
import { BENCH_DB, benchRedis, benchRedisUrl, flushBenchDb } from "../lib/redis";
import { progress, runSection } from "../lib/section";
import { median, nowMs, round } from "../lib/stats";

const say = (m: string) => progress("workers", m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PER_COMMAND = 40;
const ROUNDS = 12;
const IDLE_MS = 20_000;
const PASS_INTERVAL_MS = 5_000;

/** utime+stime (ms) of every process in the group (the prefork parent and its children). */
function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields after the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12).
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks * CLOCK_TICK_MS;
}

let worker: WorkerHandle | null = null;

runSection(
  "workers",
  async () => {
    await flushBenchDb();
    const broker: BrokerConfig = {
      name: "bench-workers",
      url: benchRedisUrl(),
      globalKeyprefix: "",
      prioritySteps: [0, 3, 6, 9],
      visibilityTimeoutSeconds: 3600,
      queues: [...DIFY_QUEUES],
    };
    worker = startCeleryWorker({
      queues: [...DIFY_QUEUES],
      hostname: "bench-worker",
      pool: "prefork",
      concurrency: 2,
      loglevel: "warning",
      env: { BROKER_URL: benchRedisUrl() },
    });
    await worker.waitForOutput(/ready\./, 90_000).catch(async () => {
      // -l warning hides "ready": wait for the worker to answer a ping instead.
    });
    const pgid = worker.pid;
    for (let i = 0; i < 60; i++) {
      const r = await broadcast(broker, "ping", {}, { timeoutMs: 1000, expectReplies: 1 });
      if (Object.keys(r).length > 0) break;
      await sleep(1000);
    }
    await sleep(3000);

    say(`worker up (pgid ${pgid}); idle for ${IDLE_MS / 1000} s`);
    const idle0 = groupCpuMs(pgid);
    const idleT0 = nowMs();
    await sleep(IDLE_MS);
    const idlePerMs = (groupCpuMs(pgid) - idle0) / (nowMs() - idleT0);

    // Requests seen on the pidbox fanout channel (what every worker must read and, if addressed, answer).
    const sub = await benchRedis();
    let published = 0;
    // This broker's own channel only: pub/sub is server-wide, and other consoles or tests may share the server.
    const layout = layoutOf(broker);
    await sub.subscribe(...fanoutChannels(layout, BENCH_DB, pidboxExchange(layout), "", false));
    sub.on("message", () => published++);

    const perCommand: { command: string; workerCpuMs: number; wallMs: number }[] = [];
    for (const [command, args] of INSPECTIONS) {
      const walls: number[] = [];
      const c0 = groupCpuMs(pgid);
      const t0 = nowMs();
      for (let i = 0; i < PER_COMMAND; i++) {
        const s = nowMs();
        const r = await broadcast(broker, command, args, { timeoutMs: 2000, expectReplies: 1 });
        if (Object.keys(r).length !== 1) throw new Error(`${command}: the worker did not answer`);
        walls.push(nowMs() - s);
      }
      const cpu = groupCpuMs(pgid) - c0 - idlePerMs * (nowMs() - t0);
      perCommand.push({ command, workerCpuMs: round(Math.max(0, cpu) / PER_COMMAND), wallMs: round(median(walls)) });
      say(`${command}: ${round(cpu / PER_COMMAND)} ms of worker CPU per request`);
    }

    // Rounds as the console runs them, one per simulated 5 s pass (the clock is advanced, not waited for).
    const rounds = async (label: string, cadence: boolean) => {
      resetWorkerInventory();
      published = 0;
      const c0 = groupCpuMs(pgid);
      const t0 = nowMs();
      let at = Date.now();
      for (let i = 0; i < ROUNDS; i++) {
        const inv = await getWorkerInventory(broker, 1500, cadence ? { nowMs: at } : { nowMs: at, full: true });
        if (inv.workers.filter((w) => w.alive).length !== 1) throw new Error(`${label}: the worker is not listed`);
        at += PASS_INTERVAL_MS;
      }
      await sleep(200); // the last publishes reach the subscriber
      const cpu = groupCpuMs(pgid) - c0 - idlePerMs * (nowMs() - t0);
      const perMinute = 60_000 / PASS_INTERVAL_MS / ROUNDS;
      return {
        label,
        requestsPerMinute: round(published * perMinute),
        workerCpuMsPerMinute: round(Math.max(0, cpu) * perMinute),
      };
    };
    const everyPass = await rounds("every inspection every pass", false);
    say(`every pass: ${everyPass.requestsPerMinute} requests/min, ${everyPass.workerCpuMsPerMinute} ms CPU/min`);
    const tiered = await rounds("the console's cadence", true);
    say(`cadence: ${tiered.requestsPerMinute} requests/min, ${tiered.workerCpuMsPerMinute} ms CPU/min`);
    sub.disconnect();

    return {
      pool: "prefork",
      concurrency: 2,
      passIntervalMs: PASS_INTERVAL_MS,
      idleWorkerCpuMsPerMinute: round(idlePerMs * 60_000),
      perCommand,
      rounds: [everyPass, tiered],
    };
  },
  async () => {
    await worker?.stop("SIGTERM", 10_000);
    await flushBenchDb();
  },
);
