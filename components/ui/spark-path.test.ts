import { describe, expect, it } from "vitest";
import { sameTrail, sparkPoints } from "./spark-path";

describe("sparkPoints", () => {
  it("maps the oldest point to the left edge and the highest value to the top", () => {
    const g = sparkPoints(
      [
        [1000, 0],
        [2000, 50],
        [3000, 100],
      ],
      102,
      22,
    );
    expect(g?.points).toBe("1,21 51,11 101,1");
    expect(g).toMatchObject({ lastX: 101, lastY: 1 });
  });

  it("draws a flat non-zero series at its height above zero, not as a spike", () => {
    const g = sparkPoints(
      [
        [0, 40],
        [10, 40],
      ],
      12,
      12,
    );
    expect(g?.points).toBe("1,1 11,1");
  });

  it("puts a single point at the right edge and skips non-finite values", () => {
    expect(
      sparkPoints(
        [
          [5, Number.NaN],
          [6, 3],
        ],
        20,
        10,
      )?.points,
    ).toBe("19,1");
    expect(sparkPoints([], 20, 10)).toBeNull();
  });

  it("handles negative values by using the real minimum", () => {
    const g = sparkPoints(
      [
        [0, -10],
        [1, 10],
      ],
      12,
      12,
    );
    expect(g?.points).toBe("1,11 11,1");
  });
});

describe("sameTrail", () => {
  it("detects a new sample appended at the end", () => {
    const a: [number, number][] = [
      [1, 1],
      [2, 2],
    ];
    expect(
      sameTrail(a, [
        [1, 1],
        [2, 2],
      ]),
    ).toBe(true);
    expect(
      sameTrail(a, [
        [1, 1],
        [3, 2],
      ]),
    ).toBe(false);
    expect(
      sameTrail(a, [
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ).toBe(false);
    expect(sameTrail(a, undefined)).toBe(false);
  });
});
