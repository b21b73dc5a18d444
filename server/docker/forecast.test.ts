import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currentRun, etaSeconds, forecast } from "./forecast";

const T0 = 1_700_000_000_000;
const STEP_MS = 5_000;

/** Deterministic noise so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function series(n: number, f: (i: number, tSeconds: number) => number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [T0 + i * STEP_MS, Math.round(f(i, (i * STEP_MS) / 1000))]);
}

describe("forecast", () => {
  it("a steady leak of 2 threads/s gets an ETA within 5% on clean data", () => {
    const pts = series(60, (_, t) => 100 + 2 * t); // 5 minutes
    const f = forecast(pts);
    expect(f.trend).toBe("growing");
    expect(f.growthPerMinute).toBeCloseTo(120, 5);
    const current = pts[pts.length - 1]![1];
    const limit = 4000;
    const trueEta = (limit - current) / 2;
    expect(Math.abs(etaSeconds(f, limit - current)! - trueEta) / trueEta).toBeLessThan(0.05);
  });

  it("a noisy leak with spikes still gets an ETA within 20%", () => {
    const r = rng(7);
    const pts = series(120, (_, t) => 300 + 0.5 * t + (r() - 0.5) * 30 + (r() < 0.05 ? 200 : 0));
    const f = forecast(pts);
    expect(f.trend).toBe("growing");
    const current = 300 + 0.5 * 595;
    const trueEta = (2000 - current) / 0.5;
    expect(Math.abs(etaSeconds(f, 2000 - current)! - trueEta) / trueEta).toBeLessThan(0.2);
  });

  it("a flat series gives no ETA, with or without noise", () => {
    expect(etaSeconds(forecast(series(60, () => 57)), 1000)).toBeNull();
    expect(forecast(series(60, () => 57)).trend).toBe("flat");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 20 }), (seed, amplitude) => {
        const r = rng(seed);
        const f = forecast(series(120, () => 500 + (r() - 0.5) * 2 * amplitude));
        return etaSeconds(f, 1000) === null;
      }),
      { numRuns: 200 },
    );
  });

  it("a shallow sawtooth (pool grows, then shrinks a little) gives no ETA", () => {
    const f = forecast(series(120, (i) => 100 + (i % 24) * 2)); // 2-minute teeth, 146 -> 100 is not a reset
    expect(f.trend).toBe("no-trend");
    expect(etaSeconds(f, 500)).toBeNull();
  });

  it("a deep sawtooth (pool empties) gives no ETA even though each drop restarts the window", () => {
    const f = forecast(series(120, (i) => 20 + (i % 24) * 4)); // 112 -> 20 twice and more
    expect(f.trend).toBe("cyclic");
    expect(etaSeconds(f, 500)).toBeNull();
  });

  it("a restart resets the window: the old run's growth is not extrapolated", () => {
    const before = series(60, (_, t) => 100 + 3 * t); // leaked up to ~985
    const restartAt = T0 + 60 * STEP_MS;
    const after: [number, number][] = Array.from({ length: 30 }, (_, i) => [restartAt + i * STEP_MS, 12]);
    const pts = [...before, ...after];
    expect(currentRun(pts)).toHaveLength(30); // the >50% drop alone cuts the window
    const f = forecast(pts, [restartAt]);
    expect(f.windowStartMs).toBe(restartAt);
    expect(etaSeconds(f, 1000)).toBeNull();
    // Just after a restart there is too little data for any verdict.
    expect(forecast([...before, ...after.slice(0, 5)], [restartAt]).trend).toBe("insufficient");
  });

  it("needs at least a minute of samples", () => {
    expect(forecast(series(10, (_, t) => 10 + t)).trend).toBe("insufficient"); // 45 s
    expect(forecast(series(13, (_, t) => 10 + t)).trend).toBe("growing"); // 60 s
  });
});

describe("forecast's selection median and flat fast path", () => {
  /** The textbook Theil–Sen/Kendall pass the optimised one must equal: every pair, a full sort. */
  function reference(pts: [number, number][]): { perMinute: number; tau: number } {
    const slopes: number[] = [];
    let c = 0;
    let d = 0;
    for (let i = 0; i < pts.length; i++)
      for (let j = i + 1; j < pts.length; j++) {
        const [ti, vi] = pts[i]!;
        const [tj, vj] = pts[j]!;
        if (tj === ti) continue;
        slopes.push((vj - vi) / (tj - ti));
        if (vj > vi) c++;
        else if (vj < vi) d++;
      }
    slopes.sort((a, b) => a - b);
    const m = slopes.length >> 1;
    const med = slopes.length % 2 ? slopes[m]! : (slopes[m - 1]! + slopes[m]!) / 2;
    return { perMinute: med * 60_000, tau: (c - d) / ((pts.length * (pts.length - 1)) / 2) };
  }

  it("gives exactly the slope and tau of a full sort over every pair", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 13, maxLength: 120 }),
        fc.boolean(),
        (values, dupTimes) => {
          // Values from a small range make ties (equal slopes around the median) common; duplicate timestamps too.
          const pts = values.map((v, i): [number, number] => [T0 + (dupTimes ? Math.floor(i / 2) : i) * STEP_MS, v]);
          const f = forecast(pts, [], { minPoints: 2, minSpanMs: 1 });
          if (f.trend === "insufficient") return;
          const run = currentRun(pts);
          const r = reference(run);
          expect(f.growthPerMinute).toBe(r.perMinute);
          expect(f.kendallTau).toBeCloseTo(r.tau, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("calls a constant window flat with slope 0 and tau 0", () => {
    const f = forecast(series(100, () => 37));
    expect(f).toMatchObject({ growthPerMinute: 0, trend: "flat", kendallTau: 0, usedPoints: 100 });
  });
});
