import { describe, expect, it } from "vitest";
import { apiLimitSource, newForkFailures, stuckAt, tsKey } from "./api-signals";
import { classify } from "./classify";

describe("apiLimitSource", () => {
  it("names a stats limit with no PidsLimit systemd's default, and never says none", () => {
    expect(apiLimitSource(29958, null)).toBe("systemd-default");
    expect(apiLimitSource(40, 40)).toBe("container");
    expect(apiLimitSource(null, null)).toBe("not-visible");
    expect(apiLimitSource(null, 100)).toBe("not-visible");
  });
});

describe("newForkFailures", () => {
  // Lines as Docker's logs endpoint sends them with timestamps=true (RFC 3339 nano, trailing zeros dropped).
  const lines = [
    { stream: "stdout" as const, ts: "2026-12-02T17:05:01.12345Z", text: "started 60 threads" },
    { stream: "stdout" as const, ts: "2026-12-02T17:05:01.123456789Z", text: "can't start new thread" },
    {
      stream: "stdout" as const,
      ts: "2026-12-02T17:05:01.2Z",
      text: "pthread_create: Resource temporarily unavailable",
    },
    {
      stream: "stderr" as const,
      ts: "2026-12-02T17:05:02Z",
      text: "bash: fork: retry: Resource temporarily unavailable",
    },
  ];

  it("counts fork-failure lines after the last one read, comparing nano timestamps by value", () => {
    expect(tsKey("2026-12-02T17:05:01.12345Z") < tsKey("2026-12-02T17:05:01.123456789Z")).toBe(true);
    expect(newForkFailures(lines, null)).toEqual({ count: 3, lastTs: "2026-12-02T17:05:02Z" });
    expect(newForkFailures(lines, "2026-12-02T17:05:01.123456789Z")).toEqual({
      count: 2,
      lastTs: "2026-12-02T17:05:02Z",
    });
    expect(newForkFailures(lines, "2026-12-02T17:05:02Z")).toEqual({ count: 0, lastTs: "2026-12-02T17:05:02Z" });
  });
});

describe("stuckAt", () => {
  const pts = (values: number[]): [number, number][] => values.map((v, i) => [i * 5000, v]);
  it("finds a steady climb that stops flat", () => {
    expect(stuckAt(pts([10, 20, 30, 40, 60, 60, 60, 60]))).toBe(60);
  });
  it("ignores a pool that fills in one step, a flat line, and a climb still going", () => {
    expect(stuckAt(pts([1, 1, 12, 12, 12, 12, 12, 12]))).toBeNull();
    expect(stuckAt(pts([5, 5, 5, 5, 5, 5, 5, 5]))).toBeNull();
    expect(stuckAt(pts([10, 20, 30, 40, 50, 60, 70, 80]))).toBeNull();
    expect(stuckAt(pts([10, 20, 30, 40, 60, 60, 60]))).toBeNull(); // flat for only three samples
  });
});

describe("classify over the API only", () => {
  const t = { warnShare: 0.7, criticalShare: 0.9, warnEtaSeconds: 6 * 3600, criticalEtaSeconds: 3600 };
  const base = {
    current: 60,
    effectiveLimit: null,
    limitSource: "not-visible" as const,
    limitPath: null,
    share: null,
    etaSeconds: null,
    refusingNow: false,
    refusedTotal: 0,
    hiddenCap: false,
    refusedFrom: "logs" as const,
    stuckAt: null,
  };
  it("is critical, refusing forks with the limit unknown, when the log shows new fork failures", () => {
    const c = classify({ ...base, refusingNow: true, refusedTotal: 7 }, t);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toMatch(/^Refusing forks, limit unknown: the container's log shows new fork failures/);
  });
  it("is critical when the count stopped flat after a climb", () => {
    const c = classify({ ...base, stuckAt: 60 }, t);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toContain("stopped at 60");
  });
  it("stays ok otherwise, but says the limit is not visible from here", () => {
    const c = classify(base, t);
    expect(c.status).toBe("ok");
    expect(c.reasons).toEqual([expect.stringContaining("Limit not visible from here")]);
  });
});
