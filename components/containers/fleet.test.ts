import { describe, expect, it } from "vitest";
import type { ContainerSummary } from "@/server/schemas/containers";
import {
  atRisk,
  etaTarget,
  filterFromSearch,
  hiddenCapSentence,
  compareContainers,
  filterAndSort,
  hostNames,
  limitShare,
  limitSourceLabel,
  NO_FILTER,
  statusCounts,
} from "./fleet";

// Shaped like the sampler's output for the leaker fixture (server/docker/__fixtures__/v1-leaker).
function c(
  name: string,
  over: Partial<ContainerSummary> & { current?: number | null; eff?: number | null } = {},
): ContainerSummary {
  const { current = 12, eff = 1024, ...rest } = over;
  return {
    host: "local",
    id: `${name}-id`,
    name,
    image: "leaker:test",
    state: "running",
    labels: {},
    via: "cgroupfs",
    pids: {
      current,
      limit: eff,
      effectiveLimit: eff,
      limitSource: "container",
      limitPath: `/docker/${name}-id`,
      peak: current,
      refusedTotal: 0,
    },
    growthPerMinute: null,
    etaSeconds: null,
    learningSeconds: null,
    status: "ok",
    reasons: [],
    refusingNow: false,
    lastRefusalAt: null,
    sampledAt: 1_700_000_000_000,
    spark: [],
    ...rest,
  };
}

describe("limitShare", () => {
  it("divides current by the effective limit and is null when uncapped", () => {
    expect(limitShare(c("a", { current: 256, eff: 1024 }))).toBe(0.25);
    expect(limitShare(c("a", { current: 256, eff: null }))).toBeNull();
    expect(limitShare(c("a", { current: null }))).toBeNull();
  });
});

describe("fleet order", () => {
  it("sorts by status, then fuller first, then sooner ETA, uncapped last", () => {
    const rows = [
      c("ok-full", { current: 900 }),
      c("warn-half", { status: "warn", current: 512 }),
      c("crit", { status: "critical", current: 100 }),
      c("warn-full-late", { status: "warn", current: 900, etaSeconds: 3600 }),
      c("warn-full-soon", { status: "warn", current: 900, etaSeconds: 60 }),
      c("ok-uncapped", { eff: null }),
      c("ok-empty", { current: 1 }),
    ];
    expect(rows.sort(compareContainers).map((r) => r.name)).toEqual([
      "crit",
      "warn-full-soon",
      "warn-full-late",
      "warn-half",
      "ok-full",
      "ok-empty",
      "ok-uncapped",
    ]);
  });

  it("filters by host, status and text (name, image or id prefix)", () => {
    const rows = [c("api"), c("worker", { host: "edge", status: "warn" }), c("worker-beat", { image: "dify-api:1.4" })];
    expect(filterAndSort(rows, { ...NO_FILTER, host: "edge" }).map((r) => r.name)).toEqual(["worker"]);
    expect(filterAndSort(rows, { ...NO_FILTER, status: "ok" }).map((r) => r.name)).toEqual(["api", "worker-beat"]);
    expect(filterAndSort(rows, { ...NO_FILTER, text: "DIFY" }).map((r) => r.name)).toEqual(["worker-beat"]);
    expect(filterAndSort(rows, { ...NO_FILTER, text: "api-i" }).map((r) => r.name)).toEqual(["api"]);
  });
});

describe("overview helpers", () => {
  it("counts statuses and picks at most five at-risk containers, worst first", () => {
    const rows = [
      c("a", { status: "critical" }),
      c("b", { status: "warn" }),
      c("calm"),
      c("growing", { etaSeconds: 7200 }),
      c("full", { current: 800 }),
    ];
    expect(statusCounts(rows)).toEqual({ critical: 1, warn: 1, unknown: 0, ok: 3 });
    expect(atRisk(rows).map((r) => r.name)).toEqual(["a", "b", "full", "growing"]);
    expect(atRisk([...Array(9)].map((_, i) => c(`x${i}`, { status: "warn" }))).length).toBe(5);
  });

  it("lists hosts that are down even when they report no containers", () => {
    expect(
      hostNames([{ name: "b", ok: false, error: "x", via: null, sampledAt: null }], [c("a", { host: "a" })]),
    ).toEqual(["a", "b"]);
  });

  it("labels a limit that does not come from the container", () => {
    expect(limitSourceLabel("container")).toBeNull();
    const uncapped = c("uncapped", { eff: null });
    expect(etaTarget({ ...uncapped, pids: { ...uncapped.pids, limitSource: "none" } })).toBe(
      "the kernel's host-wide limit",
    );
    expect(etaTarget(c("capped"))).toBe("the effective limit");
    expect(limitSourceLabel("ancestor")).toBe("capped by ancestor");
    expect(limitSourceLabel("systemd-default")).toBe("systemd default");
  });
});

describe("hiddenCapSentence", () => {
  const cg = {
    levels: [],
    kernel: { threadsMax: null, pidMax: null, systemdDefaultTasksMax: null },
    hiddenCap: true,
    systemdUnit: null,
  };
  it("uses the server's explanation when present, else names the binding level and limit", () => {
    expect(
      hiddenCapSentence(c("w"), {
        ...cg,
        explanation: "Docker reports no limit, but /leakcap caps this container at 64.",
      }),
    ).toContain("/leakcap");
    const capped = c("w", { eff: 64 });
    capped.pids = { ...capped.pids, limit: null, limitSource: "ancestor", limitPath: "/leakcap" };
    expect(hiddenCapSentence(capped, { ...cg, explanation: "" })).toBe(
      "Docker reports no limit, but /leakcap caps this container at 64.",
    );
  });
});

describe("filterFromSearch", () => {
  it("reads the overview's links and drops an unknown status", () => {
    expect(filterFromSearch({ status: "critical", host: "edge", q: ["api", "x"] })).toEqual({
      status: "critical",
      host: "edge",
      text: "api",
    });
    expect(filterFromSearch({ status: "<script>" })).toEqual(NO_FILTER);
  });
});
