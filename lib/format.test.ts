import { describe, expect, it } from "vitest";
import {
  fmtClock,
  fmtLatency,
  fmtSince,
  fmtUtc,
  DURATION_PATTERN,
  fmtDurationInput,
  parseDuration,
  plural,
} from "./format";

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

describe("fmtClock", () => {
  const now = Date.parse("2026-12-03T14:00:00Z");
  it("writes today's times as the clock with the zone", () => {
    expect(fmtClock(Date.parse("2026-12-03T13:05:12Z"), now, "Europe/Berlin")).toBe("14:05:12 CET");
    expect(fmtClock("2026-12-03T13:05:12Z", now, "UTC")).toBe("13:05:12 UTC");
  });
  it("puts the day in front of other days, and the year in front of other years", () => {
    expect(fmtClock(Date.parse("2026-12-02T23:30:00Z"), now, "UTC")).toBe("2 Dec 23:30:00 UTC");
    expect(fmtClock(Date.parse("2025-06-01T08:00:00Z"), now, "Europe/Berlin")).toBe("1 Jun 2025 10:00:00 CEST");
  });
  it("days follow the zone, not UTC", () => {
    // 23:30 UTC on the 2nd is already the 3rd in Berlin: today there.
    expect(fmtClock(Date.parse("2026-12-02T23:30:00Z"), now, "Europe/Berlin")).toBe("00:30:00 CET");
  });
  it("returns what it cannot read as it came", () => {
    expect(fmtClock("not a time", now, "UTC")).toBe("not a time");
  });
});

describe("fmtUtc", () => {
  it("is the exact instant in UTC", () => {
    expect(fmtUtc(Date.parse("2026-12-03T13:05:12.345Z"))).toBe("2026-12-03 13:05:12 UTC");
  });
});

describe("durations as people write them", () => {
  it.each([
    ["90s", 90],
    ["15m", 900],
    ["2h", 7200],
    ["7d", 604_800],
    ["1.5h", 5400],
    ["600", 600],
    [" 10 M ", 600],
  ])("%s is %d seconds", (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it.each(["", "m", "5 minutes", "-5m", "1e3", "5w"])("%s is not a duration", (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
  it("writes seconds in the largest exact unit and reads back the same", () => {
    expect([900, 86_400, 90, 7200, 604_800, 30].map(fmtDurationInput)).toEqual(["15m", "1d", "90s", "2h", "7d", "30s"]);
    for (const s of [1, 59, 60, 61, 3599, 3600, 86_399, 86_400, 604_800])
      expect(parseDuration(fmtDurationInput(s))).toBe(s);
  });
  it("the input pattern accepts exactly what parseDuration reads", () => {
    const re = new RegExp(`^(?:${DURATION_PATTERN})$`);
    for (const t of ["90s", "15m", "2h", "7d", "1.5h", "600", " 10 M "]) expect(re.test(t)).toBe(true);
    for (const t of ["", "m", "5 minutes", "-5m", "1e3", "5w"]) expect(re.test(t)).toBe(false);
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
