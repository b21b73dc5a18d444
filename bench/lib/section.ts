// Harness for one bench section run as its own child process (so memory figures belong to that section alone,
// and so server modules load under the react-server condition). The parent passes where to write the result.
import { writeFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";

export function progress(section: string, message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${section}: ${message}\n`);
}

/** Full GC when the process runs with --expose-gc (the parent passes it); else a best-effort one. */
export function collectGarbage(): void {
  const g = globalThis as { gc?: () => void };
  if (!g.gc) {
    v8.setFlagsFromString("--expose-gc");
    g.gc = vm.runInNewContext("gc") as () => void;
  }
  g.gc();
  g.gc();
}

export function memoryMiB(): { rssMiB: number; heapUsedMiB: number; externalMiB: number } {
  const m = process.memoryUsage();
  const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external + m.arrayBuffers) };
}

/** Shared scratch directory of this run (sections hand data to later ones through it). */
export const scratchDir = (): string => {
  const dir = process.env.BENCH_SCRATCH;
  if (!dir) throw new Error("BENCH_SCRATCH is not set: run the sections through bench/run.ts");
  return dir;
};

/**
 * A Markdown section's output: the tables on stdout (pasted into BENCHMARKS.md as they are) and, when run by
 * bench/run.ts, its figures as JSON in $BENCH_OUT (the goals table at the top of BENCHMARKS.md reads them).
 */
export function emitMarkdownSection(markdown: string, figures: unknown): void {
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(figures)}\n`);
  process.stdout.write(`${markdown}\n`);
}

export const benchRunId = (): string => process.env.BENCH_RUN_ID ?? `adhoc-${process.pid}`;

/** Runs a section body; writes its JSON result to $BENCH_OUT; exits 1 on failure after `cleanup`. */
export function runSection<T>(
  name: string,
  body: () => Promise<T>,
  cleanup: () => Promise<void> = async () => undefined,
): void {
  const out = process.env.BENCH_OUT;
  let cleaned = false;
  const clean = async () => {
    if (cleaned) return;
    cleaned = true;
    try {
      await cleanup();
    } catch (e) {
      progress(name, `cleanup failed: ${(e as Error).message}`);
    }
  };
  // Ctrl-C or a kill from the parent: leave nothing behind (containers, Redis settings).
  // The runner forwards the signal a terminal already sent us: a second one must not cut the cleanup short.
  let stopping = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      progress(name, `${sig}: cleaning up`);
      void clean().finally(() => process.exit(130));
    });
  }
  void (async () => {
    try {
      const result = await body();
      await clean();
      if (out) writeFileSync(out, JSON.stringify(result, null, 2));
      else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    } catch (e) {
      progress(name, `FAILED: ${(e as Error).stack ?? String(e)}`);
      await clean();
      process.exit(1);
    }
  })();
}
