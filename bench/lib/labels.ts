// Labels on bench containers (kept apart from fleet.ts so the runner can sweep without loading the harness).
export const BENCH_LABEL = "leakwatch.bench";
export const BENCH_RUN_LABEL = "leakwatch.bench.run";
