// GET /api/health: shared by its route handler, the scheduler's job stats and the status strip.
import type { SourceState } from "./sources";

/** One scheduled job's runs, failures and worst lateness: whether the sample interval holds under load. */
export interface JobStats {
  name: string;
  intervalMs: number;
  running: boolean;
  lastStart: number;
  lastDurationMs: number;
  maxDriftMs: number;
  runs: number;
  failures: number;
}

export interface HealthResponse {
  status: "ok" | "degraded";
  sources: SourceState[];
  instance: string;
  uptimeSeconds: number;
  jobs: JobStats[];
}
