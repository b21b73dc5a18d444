import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currentRun, etaSeconds, forecast, FORECAST_REFRESH_MS, memoForecast, type ForecastMemo } from "./forecast";

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

describe("memoForecast: the forecast reused between passes", () => {
  /** Runs passes over a growing series as the sampler does; returns each pass's forecast and whether it was fresh. */
  function passes(values: number[], resetsAt: (i: number) => number[] = () => [], stepMs = 1_000) {
    let memo: ForecastMemo | undefined;
    const out: { fresh: boolean; f: ReturnType<typeof forecast>; exact: ReturnType<typeof forecast> }[] = [];
    const pts: [number, number][] = [];
    values.forEach((v, i) => {
      const now = T0 + i * stepMs;
      pts.push([now, v]);
      const before = memo;
      const r = memoForecast(pts, resetsAt(i), now, memo);
      memo = r.memo;
      out.push({ fresh: r.memo !== before, f: r.forecast, exact: forecast(pts, resetsAt(i)) });
    });
    return out;
  }

  it("recomputes a steady leak at most every refresh period, with the same slope as a full forecast", () => {
    const out = passes(Array.from({ length: 600 }, (_, i) => 100 + 2 * i));
    const fresh = out.filter((p) => p.fresh).length;
    expect(fresh).toBeLessThan(600 / (FORECAST_REFRESH_MS / 1000) + 70); // the first ~60 passes are still learning
    for (const p of out.slice(120)) {
      expect(p.f.trend).toBe("growing");
      expect(p.f.growthPerMinute).toBeCloseTo(p.exact.growthPerMinute!, 6);
    }
  });

  it("recomputes at once when a flat series starts to move, or after a deep drop or a restart", () => {
    const flatThenStep = passes([...Array(200).fill(50), 51]);
    expect(flatThenStep.at(-2)!.f.trend).toBe("flat");
    expect(flatThenStep.at(-1)!.fresh).toBe(true);
    expect(flatThenStep.at(-1)!.f.growthPerMinute).toBe(flatThenStep.at(-1)!.exact.growthPerMinute);

    const drop = passes([...Array.from({ length: 200 }, (_, i) => 100 + i), 10]);
    expect(drop.at(-1)!.fresh).toBe(true);
    expect(drop.at(-1)!.f).toEqual(drop.at(-1)!.exact);
    expect(drop.at(-1)!.f.trend).toBe("insufficient");

    const restartAt = T0 + 150 * 1_000;
    const restart = passes(
      Array.from({ length: 151 }, (_, i) => 100 + i),
      (i) => (i >= 150 ? [restartAt] : []),
    );
    expect(restart.at(-1)!.fresh).toBe(true);
    expect(restart.at(-1)!.f).toEqual(restart.at(-1)!.exact);
  });

  it("agrees with a full forecast in kind on any series, within one refresh period of a change", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 30, maxLength: 200 }), (vals) => {
        const out = passes(vals, () => [], 5_000);
        // Every pass that recomputed gives exactly the full forecast; no reused answer is older than the period.
        for (const p of out) if (p.fresh) expect(p.f).toEqual(p.exact);
        let lastFresh = 0;
        out.forEach((p, i) => {
          if (p.fresh) lastFresh = i;
          expect((i - lastFresh) * 5_000).toBeLessThan(FORECAST_REFRESH_MS);
        });
      }),
    );
  });
});
