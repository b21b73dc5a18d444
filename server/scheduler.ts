import "server-only";
import { log } from "@/server/log";
import { processState } from "@/server/process-state";
import type { JobStats } from "@/server/schemas/health";

// One scheduler per process: named jobs on fixed intervals, never overlapping themselves, errors contained.
// Drift is measured so /api/health can show whether the interval holds under load.

interface Job {
  name: string;
  intervalMs: number;
  run: () => Promise<void>;
  timer?: NodeJS.Timeout;
  running: boolean;
  lastStart: number;
  lastDurationMs: number;
  maxDriftMs: number;
  runs: number;
  failures: number;
}

const jobs = () => processState("scheduler/jobs", () => new Map<string, Job>());

export function schedule(name: string, intervalMs: number, run: () => Promise<void>): void {
  const existing = jobs().get(name);
  if (existing?.timer) clearTimeout(existing.timer);
  const job: Job = {
    name,
    intervalMs,
    run,
    running: false,
    lastStart: 0,
    lastDurationMs: 0,
    maxDriftMs: 0,
    runs: 0,
    failures: 0,
  };
  jobs().set(name, job);
  const tick = async (expectedAt: number) => {
    const start = Date.now();
    job.maxDriftMs = Math.max(job.maxDriftMs, start - expectedAt);
    job.lastStart = start;
    job.running = true;
    try {
      await run();
    } catch (e) {
      job.failures++;
      log.warn({ job: name, err: e }, "scheduled job failed");
    } finally {
      job.running = false;
      job.runs++;
      job.lastDurationMs = Date.now() - start;
    }
    // Fixed-rate: the next run is due one interval after this one was due, not after it ended.
    let next = expectedAt + intervalMs;
    if (next < Date.now()) next = Date.now();
    if (jobs().get(name) === job) job.timer = setTimeout(() => void tick(next), next - Date.now());
    job.timer?.unref?.();
  };
  job.timer = setTimeout(() => void tick(Date.now()), 0);
  job.timer.unref?.();
}

export function stopAll(): void {
  for (const j of jobs().values()) if (j.timer) clearTimeout(j.timer);
  jobs().clear();
}

export function jobStats(): JobStats[] {
  return [...jobs().values()].map(
    ({ name, intervalMs, running, lastStart, lastDurationMs, maxDriftMs, runs, failures }) => ({
      name,
      intervalMs,
      running,
      lastStart,
      lastDurationMs,
      maxDriftMs,
      runs,
      failures,
    }),
  );
}
