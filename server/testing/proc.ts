// test-only: child processes for integration tests. Each one runs in its own process group, so a
// stop (or the test process exiting) takes its whole tree with it: Celery prefork children included.
import { execFile, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessHandle {
  pid: number;
  /** The last ~256 KiB of stdout and stderr, interleaved. */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<ExitStatus>;
  /** Sends `signal` to the process group; escalates to SIGKILL after graceMs. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
}

const OUTPUT_KEEP_CHARS = 256 * 1024;
// One set and one exit hook per process: Vitest evaluates this module again for every test file in the
// single integration fork, and each evaluation must not add another "exit" listener.
const LIVE = Symbol.for("leakwatch.testing.live-processes");
const globalLive = globalThis as { [LIVE]?: Set<ProcessHandle> };
const live: Set<ProcessHandle> = globalLive[LIVE] ?? new Set<ProcessHandle>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/** True while any process of the group is left (zombies of the leader aside, once it was reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// A crashed or interrupted test run must not leave workers consuming the test broker.
if (!globalLive[LIVE]) {
  globalLive[LIVE] = live;
  process.once("exit", () => {
    for (const h of live) killGroup(h.pid, "SIGKILL");
  });
}

export function spawnGroup(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string } = {},
): ProcessHandle {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let buffer = "";
  const waiters = new Set<() => void>();
  const log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log?.write(text);
    buffer = (buffer + text).slice(-OUTPUT_KEEP_CHARS);
    for (const w of waiters) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);

  let done: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => {
      done = { code, signal };
      live.delete(handle);
      for (const w of waiters) w();
      resolve(done);
    });
  });
  void exited.then(() => log?.end());

  const handle: ProcessHandle = {
    pid,
    output: () => buffer,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(buffer);
          if (m) return finish(() => resolve(m[0]));
          if (done)
            return finish(() =>
              reject(
                new Error(
                  `${command} exited (${JSON.stringify(done)}) before printing ${pattern}:\n${buffer.slice(-4000)}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${buffer.slice(-4000)}`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    async stop(signal = "SIGTERM", graceMs = 20_000) {
      if (done) return done;
      killGroup(pid, signal);
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
      const status = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure no child of the group outlives it.
      killGroup(pid, "SIGKILL");
      return status;
    },
  };
  live.add(handle);
  return handle;
}

export async function stopAllProcesses(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  await Promise.all([...live].map((h) => h.stop(signal)));
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** Polls `probe` until it returns a value other than undefined/false; rejects after timeoutMs. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out waiting for ${opts.what ?? "condition"}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
