// test-only: stops and starts the real dockerd, for the fault tests that need the engine itself to go away.
// Only a dockerd that scripts/services.sh started (it records the pid in OWNED_PIDFILE, with --live-restore so
// containers keep running while the engine is down) may be stopped; anyone else's engine is left alone.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { docker, REPO_ROOT, run, waitFor } from "@/server/testing/harness";

const OWNED_PIDFILE = "/run/leakwatch-dockerd.pid";
const DOCKER_PIDFILE = "/var/run/docker.pid";

const readPid = async (file: string): Promise<number | null> => {
  const n = Number((await readFile(file, "utf8").catch(() => "")).trim());
  return Number.isInteger(n) && n > 0 ? n : null;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running dockerd's pid when the harness started it with --live-restore; otherwise why it may not be stopped. */
export async function ownedDockerd(): Promise<{ pid: number } | { reason: string }> {
  const pid = await readPid(DOCKER_PIDFILE);
  if (pid === null || !alive(pid)) return { reason: "dockerd is not running" };
  if ((await readPid(OWNED_PIDFILE)) !== pid)
    return { reason: `dockerd (pid ${pid}) was not started by scripts/services.sh` };
  const live = await docker("info", "--format", "{{.LiveRestoreEnabled}}").catch(() => "");
  if (live !== "true") return { reason: "dockerd runs without --live-restore: stopping it would stop every container" };
  return { pid };
}

/** Sends `signal` to dockerd and waits until the process is gone. */
export async function stopDockerd(pid: number, signal: NodeJS.Signals): Promise<void> {
  process.kill(pid, signal);
  await waitFor(() => !alive(pid) || undefined, {
    what: `dockerd (pid ${pid}) to exit after ${signal}`,
    timeoutMs: 60_000,
    intervalMs: 100,
  });
}

/** Starts dockerd again the way `npm test` does, and waits for it to answer. */
export async function startDockerd(): Promise<void> {
  await run("bash", [path.join(REPO_ROOT, "scripts/services.sh"), "docker"], { cwd: REPO_ROOT });
  await waitFor(async () => (await docker("info", "--format", "{{.ServerVersion}}").catch(() => "")) || undefined, {
    what: "dockerd to answer",
    timeoutMs: 60_000,
  });
}
