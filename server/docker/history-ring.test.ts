import { beforeEach, describe, expect, it } from "vitest";
import { forecast } from "./forecast";
import { addPoint, claimSeed, getEntry, seedEntry } from "./history-ring";
import { resetProcessState } from "@/server/process-state";

const T0 = 1_795_000_000_000;

describe("seeding the ring from the store after a restart", () => {
  beforeEach(() => resetProcessState());

  it("puts back the older points so the forecast has its window at once, claimed once per container", () => {
    // The console just restarted: one live sample in memory, the store holds the 10 minutes before it.
    addPoint("local", "leaky", T0, 700);
    expect(forecast(getEntry("local", "leaky")!.points).growthPerMinute).toBeNull();
    expect(claimSeed("local", "leaky")).toBe(true);
    expect(claimSeed("local", "leaky")).toBe(false);
    const stored = Array.from({ length: 120 }, (_, i) => [T0 - (120 - i) * 5000, 100 + i * 5] as [number, number]);
    // The store may also hold the very sample already in memory, or newer ones: those are not duplicated.
    seedEntry("local", "leaky", [...stored, [T0, 700], [T0 + 5000, 705]], []);
    const e = getEntry("local", "leaky")!;
    expect(e.points).toHaveLength(121);
    expect(e.points.at(-1)).toEqual([T0, 700]);
    expect(forecast(e.points).growthPerMinute).toBeCloseTo(60, 0);
  });

  it("keeps the restarts it finds (the forecast window starts after the latest)", () => {
    addPoint("local", "restarted", T0, 12);
    claimSeed("local", "restarted");
    const beforeRestart = Array.from(
      { length: 60 },
      (_, i) => [T0 - 600_000 + i * 5000, 100 + i * 10] as [number, number],
    );
    const afterRestart = Array.from(
      { length: 5 },
      (_, i) => [T0 - 25_000 + i * 5000, 10 + (i % 2)] as [number, number],
    );
    seedEntry("local", "restarted", [...beforeRestart, ...afterRestart], [T0 - 30_000]);
    const e = getEntry("local", "restarted")!;
    expect(e.resets).toEqual([T0 - 30_000]);
    expect(e.points).toHaveLength(66);
    expect(forecast(e.points, e.resets).windowStartMs).toBeGreaterThanOrEqual(T0 - 30_000);
  });

  it("ignores what is older than the ring keeps (an hour) and a container it no longer holds", () => {
    addPoint("local", "old", T0, 5);
    seedEntry(
      "local",
      "old",
      [
        [T0 - 2 * 3600_000, 1],
        [T0 - 60_000, 4],
      ],
      [T0 - 2 * 3600_000],
    );
    expect(getEntry("local", "old")!.points).toEqual([
      [T0 - 60_000, 4],
      [T0, 5],
    ]);
    expect(getEntry("local", "old")!.resets).toEqual([]);
    seedEntry("local", "gone", [[T0, 1]], []);
    expect(getEntry("local", "gone")).toBeUndefined();
  });
});
