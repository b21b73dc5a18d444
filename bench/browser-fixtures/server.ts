// For the standalone browser and SSE benches: the production build's standalone server on its own port, with a
// throwaway data dir and the test Redis, so a run never touches a developer's console or data.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BENCH_PORT = 3250;
const BENCH_USER = "admin";
const TEST_REDIS_PORT = 6391;

class BuildMissingError extends Error {}

export interface LocalServer {
  baseUrl: string;
  username: string;
  password: string;
  dataDir: string;
  pid: number;
  sampleIntervalMs: number;
  stop(): Promise<void>;
}

function redisUp(): boolean {
  try {
    return (
      execFileSync("redis-cli", ["-p", String(TEST_REDIS_PORT), "ping"], { encoding: "utf8", timeout: 5000 }).trim() ===
      "PONG"
    );
  } catch {
    return false;
  }
}

/** The test Redis (the console's broker here); started the way the test suite starts it when it is down. */
function ensureTestRedis(): void {
  if (redisUp()) return;
  execFileSync("redis-server", [
    "--port",
    String(TEST_REDIS_PORT),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "yes",
  ]);
  for (let i = 0; i < 50 && !redisUp(); i++) execFileSync("sleep", ["0.1"]);
  if (!redisUp()) throw new Error(`redis-server on port ${TEST_REDIS_PORT} did not come up`);
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) })).status < 500;
  } catch {
    return false;
  }
}

/** Copies the standalone build; a copy that races a rebuild fails on a vanished file, so wait and try again. */
async function copyBuild(appDir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(appDir, { recursive: true, force: true });
      cpSync(path.join(ROOT, ".next/standalone"), appDir, { recursive: true, verbatimSymlinks: true });
      if (existsSync(path.join(appDir, "leakwatch-server.mjs")) && existsSync(path.join(appDir, ".next/static")))
        return;
    } catch (e) {
      if (attempt >= 6)
        throw new Error(`could not copy .next/standalone (a rebuild in progress?): ${(e as Error).message}`);
    }
    if (attempt >= 6)
      throw new BuildMissingError(
        "the standalone build is incomplete: run `npx next build && bash scripts/prepare-standalone.sh`",
      );
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

async function canLogIn(baseUrl: string, password: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify({ username: BENCH_USER, password }),
      signal: AbortSignal.timeout(5000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startLocalServer(
  sampleIntervalMs = 1000,
  port = BENCH_PORT,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<LocalServer> {
  const entry = path.join(ROOT, ".next/standalone/leakwatch-server.mjs");
  if (!existsSync(entry) || !existsSync(path.join(ROOT, ".next/standalone/.next/static"))) {
    throw new BuildMissingError(
      "no standalone production build: run `npx next build && bash scripts/prepare-standalone.sh` first",
    );
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  if (await healthy(baseUrl)) throw new Error(`something already answers on ${baseUrl}; stop it or free port ${port}`);
  ensureTestRedis();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-browser-"));
  const dataDir = path.join(scratch, "data");
  // A private copy of the build: other work on this checkout may rebuild .next/ in the middle of a run.
  const appDir = path.join(scratch, "app");
  try {
    await copyBuild(appDir);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  const password = `bench-${Math.random().toString(36).slice(2)}-pw`;
  // The production entry (Next's server.js plus the peer-address stamp), as `npm start` and the image run it.
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(appDir, "leakwatch-server.mjs")], {
    cwd: appDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      LEAKWATCH_DATA_DIR: dataDir,
      LEAKWATCH_ADMIN_PASSWORD: password,
      LEAKWATCH_SAMPLE_INTERVAL_MS: String(sampleIntervalMs),
      LEAKWATCH_BROKERS: `default=redis://127.0.0.1:${TEST_REDIS_PORT}/1`,
      LEAKWATCH_LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...extraEnv,
    },
  });
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!(await healthy(baseUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the standalone server did not come up on ${baseUrl}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // /api/health answers while the store and the first admin are still being set up: wait for a real login.
  while (!(await canLogIn(baseUrl, password))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the standalone server never accepted the admin login on ${baseUrl}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { baseUrl, username: BENCH_USER, password, dataDir, pid: child.pid!, sampleIntervalMs, stop };
}

/** For the benches' standalone entries: a running server, or null after saying the build is missing. */
export async function startLocalServerOrExplain(sampleIntervalMs = 1000): Promise<LocalServer | null> {
  try {
    return await startLocalServer(sampleIntervalMs);
  } catch (e) {
    if (e instanceof BuildMissingError) {
      process.stderr.write(`${e.message}\n`);
      return null;
    }
    throw e;
  }
}
