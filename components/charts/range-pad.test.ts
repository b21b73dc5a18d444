import { describe, expect, it } from "vitest";
import type { AlignedData } from "uplot";
import { padToRange, youngDataSince } from "./range-pad";

const HOUR = 3_600_000;

describe("youngDataSince", () => {
  it("names the first sample when the data covers only part of the range", () => {
    const end = 10 * HOUR;
    expect(youngDataSince(end - 60_000, end, HOUR)).toBe(end - 60_000);
  });
  it("is null when the data covers the range, give or take a sample", () => {
    const end = 10 * HOUR;
    expect(youngDataSince(end - HOUR, end, HOUR)).toBeNull();
    expect(youngDataSince(end - HOUR + 5_000, end, HOUR)).toBeNull();
    expect(youngDataSince(undefined, undefined, HOUR)).toBeNull();
  });
});

describe("padToRange", () => {
  it("prepends the range start with a gap in every series", () => {
    const data: AlignedData = [
      [100, 105],
      [1, 2],
      [10, 10],
    ];
    expect(padToRange(data, 40_000)).toEqual([
      [40, 100, 105],
      [null, 1, 2],
      [null, 10, 10],
    ]);
  });
  it("leaves data that already reaches the start, and empty data, as it is", () => {
    const data: AlignedData = [
      [40, 50],
      [1, 2],
    ];
    expect(padToRange(data, 40_000)).toBe(data);
    const empty: AlignedData = [[], []];
    expect(padToRange(empty, 40_000)).toBe(empty);
  });
});

describe("padToRange for a custom window", () => {
  it("spans the window at both ends, with gaps", () => {
    const data: AlignedData = [
      [100, 105],
      [1, 2],
    ];
    expect(padToRange(data, 40_000, 200_000)).toEqual([
      [40, 100, 105, 200],
      [null, 1, 2, null],
    ]);
  });
  it("spans an empty window too (the chart then shows the window with no line)", () => {
    expect(padToRange([[], []], 40_000, 100_000)).toEqual([
      [40, 100],
      [null, null],
    ]);
  });
});
