import { describe, expect, it } from "vitest";
import { compareNullable, statusRank } from "./status";

describe("status order", () => {
  it("puts critical before warn before unknown before ok", () => {
    const sorted = (["ok", "unknown", "critical", "warn"] as const)
      .slice()
      .sort((a, b) => statusRank(a) - statusRank(b));
    expect(sorted).toEqual(["critical", "warn", "unknown", "ok"]);
  });

  it("sorts nulls last in both directions", () => {
    expect([3, null, 1].sort((a, b) => compareNullable(a, b, 1))).toEqual([1, 3, null]);
    expect([3, null, 1].sort((a, b) => compareNullable(a, b, -1))).toEqual([3, 1, null]);
  });
});
