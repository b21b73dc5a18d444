// Health of each monitored source and of the console's own store.
export type SourceKind = "docker" | "redis" | "database" | "audit";

export interface SourceState {
  kind: SourceKind;
  name: string;
  ok: boolean;
  /** Last error message, kept after recovery until the next failure. */
  lastError: string | null;
  lastErrorAt: number | null;
  lastOkAt: number | null;
  checkedAt: number | null;
}
