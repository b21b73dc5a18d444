import "server-only";
import type { LimitSource } from "@/server/schemas/containers";
import type { LogLine } from "./log-stream";
import { THREAD_EXHAUSTION_SIGNATURES } from "./log-signatures";

// Over the Docker API alone the console sees a container's own pids.max and nothing above it. These read what the
// API does give: the stats' limit against HostConfig.PidsLimit, fork failures in the log, and a count that stops
// climbing, so a container stuck at a cap nobody can see is not shown as "ok, no limit".

/** The limit's source as far as the API shows it. A stats limit while PidsLimit is unset is systemd's scope default. */
export function apiLimitSource(statsLimit: number | null, dockerPidsLimit: number | null): LimitSource {
  if (statsLimit === null) return "not-visible";
  return dockerPidsLimit === null ? "systemd-default" : "container";
}

/** Docker's RFC 3339 nano timestamps drop trailing zeros; padded, they compare as strings. */
export function tsKey(ts: string): string {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}${m[3]}` : ts;
}

/** Fork-failure lines after `afterTs` (exclusive; null = all), and the newest timestamp seen. */
export function newForkFailures(
  lines: readonly LogLine[],
  afterTs: string | null,
): { count: number; lastTs: string | null } {
  const after = afterTs === null ? null : tsKey(afterTs);
  let lastTs = afterTs;
  let count = 0;
  for (const line of lines) {
    if (line.ts === null) continue;
    const k = tsKey(line.ts);
    if (after !== null && k <= after) continue;
    if (lastTs === null || k > tsKey(lastTs)) lastTs = line.ts;
    if (THREAD_EXHAUSTION_SIGNATURES.some((s) => s.pattern.test(line.text))) count++;
  }
  return { count, lastTs };
}

const MIN_RISES = 3;
const MIN_FLAT = 4;

/**
 * The value a count stopped at after a steady climb: at least MIN_RISES rising samples, then the last MIN_FLAT
 * samples all equal and above where the climb began. A pool that fills at start-up rises in one step, not three.
 */
export function stuckAt(points: readonly [number, number][]): number | null {
  const n = points.length;
  if (n < MIN_RISES + MIN_FLAT) return null;
  const flat = (points[n - 1] as [number, number])[1];
  let i = n - 1;
  while (i > 0 && (points[i - 1] as [number, number])[1] === flat) i--;
  if (n - i < MIN_FLAT) return null;
  let rises = 0;
  for (let j = i; j > 0 && rises < MIN_RISES; j--) {
    if ((points[j - 1] as [number, number])[1] < (points[j] as [number, number])[1]) rises++;
    else break;
  }
  return rises >= MIN_RISES ? flat : null;
}
