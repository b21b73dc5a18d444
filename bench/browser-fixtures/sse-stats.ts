// Turns the raw arrivals of many SSE clients into the figures the issue asks for: does the sample interval hold
// (drift), does every client get every update, and how long an update takes to reach all of them.
import { median, round, summary } from "../lib/stats";

/** One "containers" frame at one client: when it arrived (wall ms) and the sample time it carries. */
export interface Arrival {
  arrivedAtMs: number;
  sampledAtMs: number;
}

export interface SseStats {
  intervalMs: number;
  intervalSource: "configured" | "inferred";
  clients: number;
  updatesPerClient: { min: number; median: number; max: number };
  clientsWithoutUpdates: number;
  missedSamples: { total: number; worstClient: number };
  clientInterArrivalMs: ReturnType<typeof summary>;
  clientDeviationMs: { mean: number; p95: number; max: number };
  serverSampleGapMs: ReturnType<typeof summary>;
  serverDeviationMs: { mean: number; p95: number; max: number };
  /** (last - first sample) minus (samples - 1) * interval: a fixed-rate scheduler keeps this near zero. */
  serverCumulativeDriftMs: number;
  deliveryLatencyMs: ReturnType<typeof summary>;
  fanOutSpreadMs: ReturnType<typeof summary>;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const gaps = (v: number[]) => v.slice(1).map((x, i) => x - v[i]!);

function deviation(values: number[], intervalMs: number) {
  const d = values.map((g) => Math.abs(g - intervalMs));
  const s = summary(d);
  return { mean: round(mean(d)), p95: s.p95, max: s.max };
}

/**
 * `perClient` holds each client's arrivals after its connect snapshot, inside the measured window
 * [fromMs, toMs]. Samples taken in the last two intervals of the window are not counted as missed:
 * they may still be in flight when the window closes.
 */
export function sseStats(
  perClient: Arrival[][],
  fromMs: number,
  toMs: number,
  configuredIntervalMs?: number,
): SseStats {
  const samples = [...new Set(perClient.flat().map((a) => a.sampledAtMs))].sort((a, b) => a - b);
  const serverGaps = gaps(samples);
  const intervalMs = configuredIntervalMs ?? median(serverGaps);
  const clientGaps = perClient.flatMap((arr) => gaps(arr.map((a) => a.arrivedAtMs)));
  const counts = perClient.map((arr) => arr.length);

  const due = samples.filter((s) => s >= fromMs && s <= toMs - 2 * intervalMs);
  const missed = perClient.map((arr) => {
    const got = new Set(arr.map((a) => a.sampledAtMs));
    return due.filter((s) => !got.has(s)).length;
  });

  const bySample = new Map<number, number[]>();
  for (const a of perClient.flat())
    bySample.set(a.sampledAtMs, [...(bySample.get(a.sampledAtMs) ?? []), a.arrivedAtMs]);
  const spreads = [...bySample.values()]
    .filter((v) => v.length === perClient.length)
    .map((v) => Math.max(...v) - Math.min(...v));

  return {
    intervalMs,
    intervalSource: configuredIntervalMs ? "configured" : "inferred",
    clients: perClient.length,
    updatesPerClient: { min: Math.min(...counts), median: median(counts), max: Math.max(...counts) },
    clientsWithoutUpdates: counts.filter((c) => c === 0).length,
    missedSamples: { total: missed.reduce((a, b) => a + b, 0), worstClient: Math.max(0, ...missed) },
    clientInterArrivalMs: summary(clientGaps),
    clientDeviationMs: deviation(clientGaps, intervalMs),
    serverSampleGapMs: summary(serverGaps),
    serverDeviationMs: deviation(serverGaps, intervalMs),
    serverCumulativeDriftMs:
      samples.length > 1 ? samples[samples.length - 1]! - samples[0]! - (samples.length - 1) * intervalMs : NaN,
    deliveryLatencyMs: summary(perClient.flat().map((a) => a.arrivedAtMs - a.sampledAtMs)),
    fanOutSpreadMs: summary(spreads),
  };
}
