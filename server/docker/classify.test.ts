import { describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config";
import { classify, thresholdsFor, type ClassifyInput } from "./classify";

const cfg = parseConfig({});
const base: ClassifyInput = {
  current: 100,
  effectiveLimit: 1000,
  limitSource: "container",
  limitPath: "/docker/abc",
  share: 0.1,
  etaSeconds: null,
  refusingNow: false,
  refusedTotal: 0,
  hiddenCap: false,
};
const t = thresholdsFor({ name: "x", labels: {} }, cfg.thresholds, []);

describe("classify", () => {
  it("is ok with room and no growth, warn/critical by share of the effective limit", () => {
    expect(classify(base, t)).toEqual({ status: "ok", reasons: [] });
    expect(classify({ ...base, share: 0.75 }, t).status).toBe("warn");
    const c = classify({ ...base, share: 0.95 }, t);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toBe("95% of its own limit (1000) is in use.");
  });

  it("escalates by ETA", () => {
    expect(classify({ ...base, etaSeconds: 5 * 3600 }, t).status).toBe("warn");
    const c = classify({ ...base, etaSeconds: 1800 }, t);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toContain("in about 30 min");
  });

  it("refusing forks now is critical, whatever the share", () => {
    const c = classify({ ...base, share: 0.2, refusingNow: true, refusedTotal: 9 }, t);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toMatch(/refused now/);
    expect(classify({ ...base, refusedTotal: 3 }, t).status).toBe("warn");
  });

  it("says plainly when the cap is a parent cgroup Docker does not report", () => {
    const c = classify({ ...base, share: 0.93, limitSource: "ancestor", limitPath: "/lwtest", hiddenCap: true }, t);
    expect(c.reasons).toEqual([
      "93% of the limit on parent cgroup /lwtest (1000) is in use.",
      "Docker reports no limit for this container; the cap is the limit on parent cgroup /lwtest.",
    ]);
  });

  it("is unknown without a reading", () => {
    expect(classify({ ...base, current: null }, t).status).toBe("unknown");
  });
});

describe("thresholdsFor", () => {
  it("applies overrides matching a name glob or a label", () => {
    const overrides = [
      { match: "dify-worker-*", warnShare: 0.5 },
      { match: "com.docker.compose.service=plugin_daemon", criticalEtaSeconds: 7200 },
      { match: "other?", warnShare: 0.1 },
    ];
    const worker = thresholdsFor({ name: "dify-worker-1", labels: {} }, cfg.thresholds, overrides);
    expect(worker).toMatchObject({
      warnShare: 0.5,
      criticalShare: cfg.thresholds.criticalShare,
      criticalEtaSeconds: cfg.thresholds.criticalEtaSeconds,
    });
    const plugin = thresholdsFor(
      { name: "p", labels: { "com.docker.compose.service": "plugin_daemon" } },
      cfg.thresholds,
      overrides,
    );
    expect(plugin).toMatchObject({ warnShare: cfg.thresholds.warnShare, criticalEtaSeconds: 7200 });
    expect(thresholdsFor({ name: "otherss", labels: {} }, cfg.thresholds, overrides).warnShare).toBe(
      cfg.thresholds.warnShare,
    );
    expect(classify({ ...base, share: 0.55 }, worker).status).toBe("warn");
  });
});
