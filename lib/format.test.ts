import { describe, expect, it } from "vitest";
import { fmtLatency, fmtSince, plural } from "./format";

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

describe("fmtLatency", () => {
  it("reads milliseconds below a second and seconds below a minute", () => {
    expect(fmtLatency(0.2404)).toBe("240 ms");
    expect(fmtLatency(1.254)).toBe("1.25 s");
    expect(fmtLatency(600)).toBe("10m");
    expect(fmtLatency(null)).toBe("—");
  });
});
