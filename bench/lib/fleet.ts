// Bench containers: the fixture leaker in a fixed healthy pool, `--network none`, labelled with a bench label
// (not leakwatch.test=1, so a test run's blanket cleanup cannot remove them halfway through a measurement).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { FIXTURE_IMAGE, leakerArgs } from "@/server/testing/harness";
import { BENCH_LABEL, BENCH_RUN_LABEL } from "./labels";

const exec = promisify(execFile);
/** Threads per container: main thread + pool. */
export const POOL_THREADS = 4;
const START_CONCURRENCY = 6;

async function docker(args: string[]): Promise<string> {
  const { stdout } = await exec("docker", args, { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return stdout.trim();
}

async function startOne(runId: string): Promise<string> {
  return docker([
    "run",
    "-d",
    "--network",
    "none",
    "--label",
    `${BENCH_LABEL}=1`,
    "--label",
    `${BENCH_RUN_LABEL}=${runId}`,
    FIXTURE_IMAGE,
    ...leakerArgs({ mode: "healthy", pool: POOL_THREADS }),
  ]);
}

/** Starts `count` containers, a few at a time; returns their full ids. */
export async function startContainers(
  runId: string,
  count: number,
  onProgress: (done: number) => void,
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      ids.push(await startOne(runId));
      if (ids.length % 25 === 0) onProgress(ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, count) }, worker));
  return ids;
}

/** Removes every container of this bench run (any state); returns how many. */
export async function removeRunContainers(runId: string): Promise<number> {
  const ids = (await docker(["ps", "-aq", "--filter", `label=${BENCH_RUN_LABEL}=${runId}`]))
    .split("\n")
    .filter(Boolean);
  for (let i = 0; i < ids.length; i += 50) await docker(["rm", "-f", ...ids.slice(i, i + 50)]);
  return ids.length;
}

/** Wall time of `docker stats --no-stream` over these containers, as an operator would run it. */
export async function dockerStatsOnce(ids: string[]): Promise<{ lines: number }> {
  const out = await docker(["stats", "--no-stream", "--format", "{{.ID}} {{.PIDs}}", ...ids]);
  return { lines: out.split("\n").filter(Boolean).length };
}

export async function runningCount(): Promise<number> {
  return (await docker(["ps", "-q"])).split("\n").filter(Boolean).length;
}
