import { describe, expect, it } from "vitest";
import {
  checkWindow,
  fromLocalInput,
  HISTORY_KEEP_MS,
  instantParam,
  parseChartRange,
  parseInstant,
  rangeLabel,
  rangeQuery,
  rangeWindow,
  toLocalInput,
  zoomWindow,
} from "./ranges";

const NOW = Date.parse("2026-12-03T16:00:00Z");
const HOUR = 3_600_000;
const params = (q: string) => new URLSearchParams(q);

describe("parseChartRange", () => {
  it("reads a preset, and no parameter as the 1h default", () => {
    expect(parseChartRange(params("range=24h"), NOW)).toEqual({ ok: true, range: { kind: "preset", range: "24h" } });
    expect(parseChartRange(params(""), NOW)).toEqual({ ok: true, range: { kind: "preset", range: "1h" } });
  });

  it("refuses an unknown preset by naming the allowed ones", () => {
    expect(parseChartRange(params("range=2d"), NOW)).toEqual({ ok: false, error: "range must be one of 1h, 24h, 7d." });
  });

  it("reads a custom window as ISO or epoch ms, and it wins over ?range", () => {
    const q = "range=7d&from=2026-12-03T14:00:00Z&to=" + String(NOW - HOUR);
    expect(parseChartRange(params(q), NOW)).toEqual({
      ok: true,
      range: { kind: "custom", fromMs: NOW - 2 * HOUR, toMs: NOW - HOUR },
    });
  });

  it("says what is wrong with a malformed window", () => {
    expect(parseChartRange(params("from=2026-12-03T14:00:00Z"), NOW)).toEqual({
      ok: false,
      error: "A custom range needs both from and to.",
    });
    const bad = parseChartRange(params("from=yesterday&to=2026-12-03T15:00:00Z"), NOW);
    expect(bad).toEqual({ ok: false, error: 'from "yesterday" is not a date-time or epoch ms.' });
    expect(parseChartRange(params("from=2026-12-03T15:00:00Z&to=2026-12-03T14:00:00Z"), NOW)).toEqual({
      ok: false,
      error: "From must be before To.",
    });
  });

  it("refuses a window older than the stored history or ending in the future, unless the clock is not checked", () => {
    const old = `from=${NOW - HISTORY_KEEP_MS - HOUR}&to=${NOW - HISTORY_KEEP_MS + HOUR}`;
    const r = parseChartRange(params(old), NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^History is kept for 8 days: From must be after 2026-11-25T16:00:00Z\.$/);
    const future = `from=${NOW - HOUR}&to=${NOW + 10 * 60_000}`;
    expect(parseChartRange(params(future), NOW)).toEqual({
      ok: false,
      error: "To lies in the future: history ends now.",
    });
    // A page reads its URL with the clock of when it opened: a window set later may end after that.
    expect(parseChartRange(params(future), NOW, Infinity).ok).toBe(true);
    expect(parseChartRange(params(old), null).ok).toBe(true);
  });
});

describe("checkWindow", () => {
  it("wants at least a minute", () => {
    expect(checkWindow(NOW - 30_000, NOW, NOW)).toBe("The range must span at least a minute.");
    expect(checkWindow(NOW - 60_000, NOW, NOW)).toBeNull();
  });
});

describe("the URL and the API carry the same window", () => {
  it("round-trips a custom window through its query string", () => {
    const range = { kind: "custom" as const, fromMs: NOW - 2 * HOUR, toMs: NOW - HOUR };
    expect(rangeQuery(range)).toBe("from=2026-12-03T14%3A00%3A00Z&to=2026-12-03T15%3A00%3A00Z");
    expect(parseChartRange(params(rangeQuery(range)), NOW)).toEqual({ ok: true, range });
    expect(rangeQuery("24h")).toBe("range=24h");
  });

  it("reads a preset as trailing now and a custom window as fixed", () => {
    expect(rangeWindow("1h", NOW)).toEqual({ fromMs: NOW - HOUR, toMs: NOW });
    expect(rangeWindow({ kind: "custom", fromMs: 1, toMs: 2 }, NOW)).toEqual({ fromMs: 1, toMs: 2 });
  });

  it("labels a custom window in UTC, the same on the server and in the browser", () => {
    expect(rangeLabel({ kind: "custom", fromMs: NOW - 2 * HOUR, toMs: NOW - HOUR })).toBe(
      "2026-12-03 14:00 to 15:00 UTC",
    );
    expect(rangeLabel({ kind: "custom", fromMs: NOW - 30 * HOUR, toMs: NOW })).toBe(
      "2026-12-02 10:00 to 2026-12-03 16:00 UTC",
    );
    expect(rangeLabel("7d")).toBe("7d");
  });
});

describe("parseInstant and instantParam", () => {
  it("take ISO date-times and epoch ms, nothing looser", () => {
    expect(parseInstant("2026-12-03T16:00:00Z")).toBe(NOW);
    expect(parseInstant("2026-12-03T17:00:00+01:00")).toBe(NOW);
    expect(parseInstant(String(NOW))).toBe(NOW);
    expect(parseInstant("2026-12-03")).toBeNull();
    expect(parseInstant("Dec 3 2026")).toBeNull();
    expect(instantParam(NOW + 123)).toBe("2026-12-03T16:00:00Z");
  });
});

describe("datetime-local inputs", () => {
  it("read and write local time, and refuse a day that does not exist", () => {
    const ms = fromLocalInput("2026-12-03T16:05")!;
    expect(new Date(ms).getHours()).toBe(16);
    expect(new Date(ms).getMinutes()).toBe(5);
    expect(toLocalInput(ms)).toBe("2026-12-03T16:05");
    expect(fromLocalInput("2026-02-31T10:00")).toBeNull();
    expect(fromLocalInput("")).toBeNull();
  });
});

describe("zoomWindow", () => {
  it("turns a drag into a whole-second window", () => {
    expect(zoomWindow(NOW - HOUR + 400, NOW - 1_000, NOW)).toEqual({
      kind: "custom",
      fromMs: NOW - HOUR,
      toMs: NOW - 1_000,
    });
  });
  it("widens a drag shorter than a minute around its middle, and ends a drag over the projection at now", () => {
    expect(zoomWindow(NOW - 20_000, NOW - 10_000, NOW)).toEqual({
      kind: "custom",
      fromMs: NOW - 60_000,
      toMs: NOW,
    });
    expect(zoomWindow(NOW - HOUR, NOW + HOUR, NOW)).toEqual({ kind: "custom", fromMs: NOW - HOUR, toMs: NOW });
  });
  it("gives a window the API accepts", () => {
    const r = zoomWindow(NOW - 5_000, NOW + 5_000, NOW);
    expect(r.kind === "custom" && checkWindow(r.fromMs, r.toMs, NOW)).toBeNull();
  });
});
