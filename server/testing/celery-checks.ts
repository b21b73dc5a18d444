// test-only: independent witnesses for queue and worker actions: Celery's own `inspect` CLI, the process table,
// and the markers tasks.record leaves behind.
import { readdir, readFile } from "node:fs/promises";
import { CELERY_DIR, PYTHON, celeryEnv, recordedMarkers, run } from "@/server/testing/harness";

/** Queue names a worker reports through `celery inspect active_queues` (Celery's CLI, not Leakwatch's pidbox). */
export async function celeryActiveQueues(hostname: string, env: Record<string, string>): Promise<string[]> {
  const { stdout } = await run(
    PYTHON,
    ["-m", "celery", "-A", "dify_app", "inspect", "active_queues", "-d", hostname, "-t", "3", "-j"],
    { cwd: CELERY_DIR, env: celeryEnv(env) },
  );
  const replies = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<string, { name: string }[]>;
  const mine = replies[hostname];
  if (!mine) throw new Error(`${hostname} did not answer inspect active_queues: ${stdout}`);
  return mine.map((q) => q.name).sort();
}

/** Live child processes of `pid` (a prefork worker's pool), read from /proc. */
export async function childProcesses(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // Fields after the command (which may hold spaces) start after the last ')': state, ppid, ...
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(rest[1]) === pid && rest[0] !== "Z") out.push(Number(entry));
  }
  return out;
}

/** Markers recorded in `db` with this prefix, in the order they ran. */
export async function markersWithPrefix(prefix: string, db: number): Promise<string[]> {
  return (await recordedMarkers(db)).filter((m) => m.startsWith(`${prefix}-`));
}

/** The last JSON line of a process's output that has `key`. */
export function lastJsonWith<T>(output: string, key: string): T {
  const line = output
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{") && l.includes(`"${key}"`));
  if (!line) throw new Error(`no JSON line with "${key}" in:\n${output.slice(-2000)}`);
  return JSON.parse(line) as T;
}

/** Each marker and how often it ran, for exactly-once assertions. */
export function counts(markers: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of markers) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
