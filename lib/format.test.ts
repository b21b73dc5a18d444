import { describe, expect, it } from "vitest";
import { fmtSince, plural } from "./format";

describe("plural", () => {
  it("agrees the noun with the count: no '1 workers'", () => {
    expect(plural(1, "worker")).toBe("1 worker");
    expect(plural(0, "worker")).toBe("0 workers");
    expect(plural(2, "worker")).toBe("2 workers");
    expect(plural(1200, "message")).toBe("1,200 messages");
  });

  it("takes the plural form for nouns that do not add an s", () => {
    expect(plural(1, "entry", "entries")).toBe("1 entry");
    expect(plural(7, "entry", "entries")).toBe("7 entries");
  });
});

describe("fmtSince", () => {
  it("is a bare duration that reads after 'for' (no 'firing for 7m ago')", () => {
    expect(fmtSince(1_000_000 - 7 * 60_000, 1_000_000)).toBe("7m");
    expect(fmtSince(null)).toBe("—");
  });
});
