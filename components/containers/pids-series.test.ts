import { describe, expect, it } from "vitest";
import type { PidsPoint } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";
import { appendLive, buildPidsColumns, eventMarkers, mergeHistory } from "./pids-series";

const pt = (ts: number, current: number, effectiveLimit = 100, limit: number | null = 100): PidsPoint => ({
  ts,
  current,
  limit,
  effectiveLimit,
  res: 0,
});

function live(sampledAt: number, current: number, spark: [number, number][]): ContainerSummary {
  return {
    host: "local",
    id: "abc",
    name: "leaker",
    image: "leaker:test",
    state: "running",
    labels: {},
    via: "cgroupfs",
    pids: {
      current,
      limit: null,
      effectiveLimit: 64,
      limitSource: "ancestor",
      limitPath: "/leakcap",
      peak: current,
      refusedTotal: 0,
    },
    growthPerMinute: 6,
    etaSeconds: 300,
    learningSeconds: null,
    status: "warn",
    reasons: [],
    refusingNow: false,
    lastRefusalAt: null,
    sampledAt,
    spark,
  };
}

describe("appendLive", () => {
  it("adds spark points and the sample newer than the tail, with the live limits", () => {
    const out = appendLive(
      [pt(1000, 5)],
      live(4000, 9, [
        [1000, 5],
        [2000, 6],
        [3000, 8],
        [4000, 9],
      ]),
    );
    expect(out.map((p) => [p.ts, p.current])).toEqual([
      [1000, 5],
      [2000, 6],
      [3000, 8],
      [4000, 9],
    ]);
    expect(out[3]).toMatchObject({ limit: null, effectiveLimit: 64 });
  });

  it("returns the same array when the snapshot is not newer (SSE repeats a frame)", () => {
    const tail = [pt(4000, 9)];
    expect(appendLive(tail, live(4000, 9, [[4000, 9]]))).toBe(tail);
  });
});

describe("mergeHistory", () => {
  it("keeps stored history and only appends newer live points, clipped to the range", () => {
    const merged = mergeHistory([pt(0, 1), pt(5000, 2)], [pt(5000, 99), pt(10_000, 3)], 6000);
    expect(merged.map((p) => [p.ts, p.current])).toEqual([
      [5000, 2],
      [10_000, 3],
    ]);
  });
  it("holds a custom window to its bounds: live points past its end stay out", () => {
    const merged = mergeHistory([pt(0, 1), pt(5000, 2)], [pt(10_000, 3)], { fromMs: 1000, toMs: 9000 });
    expect(merged.map((p) => p.ts)).toEqual([5000]);
  });
});

describe("buildPidsColumns", () => {
  it("projects to the limit when the ETA is inside the horizon", () => {
    const cols = buildPidsColumns([pt(0, 10), pt(60_000, 40)], {
      etaSeconds: 120,
      growthPerMinute: 30,
      horizonMs: 900_000,
    });
    expect(cols.showOwnLimit).toBe(false);
    expect(cols.projectionEnd).toEqual({ tsMs: 180_000, value: 100, reachesLimit: true });
    const [x, current, effective, projection] = cols.data;
    expect(x).toEqual([0, 60, 180]);
    expect(current).toEqual([10, 40, null]);
    expect(effective).toEqual([100, 100, 100]);
    expect(projection).toEqual([null, 40, 100]);
  });

  it("stops at the horizon when the limit is further away, and shows the own limit when it differs", () => {
    const cols = buildPidsColumns([pt(0, 10, 64, null), pt(60_000, 11, 64, 4096)], {
      etaSeconds: 3600,
      growthPerMinute: 1,
      horizonMs: 600_000,
    });
    expect(cols.showOwnLimit).toBe(true);
    expect(cols.data).toHaveLength(5);
    expect(cols.projectionEnd).toEqual({ tsMs: 660_000, value: 21, reachesLimit: false });
  });

  it("draws no projection when not growing", () => {
    expect(
      buildPidsColumns([pt(0, 10)], { etaSeconds: null, growthPerMinute: 0, horizonMs: 1 }).projectionEnd,
    ).toBeNull();
    expect(
      buildPidsColumns([pt(0, 10)], { etaSeconds: null, growthPerMinute: -3, horizonMs: 1 }).projectionEnd,
    ).toBeNull();
  });

  it("still projects a growing container that no cgroup caps (its ETA counts down to the kernel's limit)", () => {
    const uncapped = [
      { ...pt(0, 10), effectiveLimit: null, limit: null },
      { ...pt(60_000, 70), effectiveLimit: null, limit: null },
    ];
    // 60 pids/min, the kernel 8.9 h away: up to the 15-minute horizon, no limit to meet.
    const far = buildPidsColumns(uncapped, { etaSeconds: 32_000, growthPerMinute: 60, horizonMs: 900_000 });
    expect(far.projectionEnd).toEqual({ tsMs: 960_000, value: 970, reachesLimit: false });
    expect(far.data[2]).toEqual([null, null, null]); // no effective-limit line
    // No kernel figure either: still the horizon.
    expect(
      buildPidsColumns(uncapped, { etaSeconds: null, growthPerMinute: 60, horizonMs: 60_000 }).projectionEnd,
    ).toEqual({ tsMs: 120_000, value: 130, reachesLimit: false });
  });

  it("handles a day of 5-second points", () => {
    const day = Array.from({ length: 17_280 }, (_, i) => pt(i * 5000, i % 100));
    const cols = buildPidsColumns(day, { etaSeconds: null, growthPerMinute: null, horizonMs: 0 });
    expect(cols.data[0]).toHaveLength(17_280);
  });
});

describe("eventMarkers", () => {
  it("keeps events in the range and folds exec actions to their verb", () => {
    const m = eventMarkers(
      [
        { ts: 5, action: "die", attributes: {} },
        { ts: 1, action: "start", attributes: {} },
        { ts: 9, action: "exec_start: sh", attributes: {} },
      ],
      [],
      2,
    );
    expect(m.map((e) => e.label)).toEqual(["die", "exec_start"]);
    expect(m[0]!.color).toBe("#ef4444");
  });

  const change = (ts: number, action: string, actor: string, params: unknown, before: unknown) => ({
    auditId: `a-${ts}`,
    ts,
    endTs: ts + 1_500,
    action,
    actor,
    params,
    before,
    outcome: "succeeded",
  });

  it("names a raise and its time-box revert instead of Docker's two bare 'update' markers", () => {
    const events = [
      { ts: 100_600, action: "update", attributes: {} },
      { ts: 700_400, action: "update", attributes: {} },
      // A docker update by hand: nothing audited explains it, so it stays.
      { ts: 400_000, action: "update", attributes: {} },
    ];
    const changes = [
      change(700_000, "container.set-pids-limit", "system:timebox", { limit: 1200 }, 2000),
      change(100_000, "container.set-pids-limit", "alice", { limit: 2000, revertAfterSeconds: 600 }, 1200),
    ];
    const m = eventMarkers(events, changes, 0);
    expect(m.map((e) => e.label)).toEqual(["raise to 2,000 for 10m", "update", "revert to 1,200 (time box)"]);
    expect(m.map((e) => e.tsMs)).toEqual([100_000, 400_000, 700_000]);
  });

  it("folds the kill, die, start and restart of an audited restart into one 'restart'", () => {
    const events = ["kill", "die", "start", "restart"].map((action, i) => ({
      ts: 50_000 + i * 200,
      action,
      attributes: {},
    }));
    const m = eventMarkers(events, [change(49_900, "container.restart", "bob", { graceSeconds: 10 }, null)], 0);
    expect(m.map((e) => e.label)).toEqual(["restart"]);
  });

  it("keeps a custom window's end: changes and events after it are not drawn", () => {
    const m = eventMarkers(
      [{ ts: 900, action: "oom", attributes: {} }],
      [change(800, "container.restart", "bob", {}, null)],
      0,
      500,
    );
    expect(m).toEqual([]);
  });
});
