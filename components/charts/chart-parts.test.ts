import { describe, expect, it } from "vitest";
import { compactNumber, lastIndexes, markerRows, zoneName } from "./chart-parts";

describe("lastIndexes", () => {
  it("finds each series' newest value, skipping trailing gaps (a projection runs past the last sample)", () => {
    const data = [
      [1, 2, 3, 4],
      [5, 6, null, null],
      [null, null, 7, 8],
      [null, null, null, null],
    ];
    expect(lastIndexes(data)).toEqual([null, 1, 3, null]);
  });
});

describe("markerRows", () => {
  it("stacks labels that would overlap and reuses a row once it is free", () => {
    // "raise" at 100 (40 wide) and "revert" at 120 overlap; "restart" at 300 fits on the first row again.
    expect(markerRows([100, 120, 300], [40, 40, 40], 4, 3)).toEqual([0, 1, 0]);
  });
  it("keeps to maxRows", () => {
    expect(markerRows([0, 1, 2, 3], [50, 50, 50, 50], 4, 2)).toEqual([0, 1, 1, 1]);
  });
});

describe("compactNumber", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [1200, "1.2k"],
    [29958, "30k"],
    [1_500_000, "1.5M"],
    [2.5, "2.5"],
  ])("%d -> %s", (n, s) => expect(compactNumber(n)).toBe(s));
});

describe("zoneName", () => {
  it("names the zone and its offset", () => {
    expect(zoneName("Europe/Berlin", 60)).toBe("Europe/Berlin, UTC+01:00");
    expect(zoneName("America/St_Johns", -150)).toBe("America/St_Johns, UTC-02:30");
    expect(zoneName("UTC", 0)).toBe("UTC, UTC+00:00");
  });
});
