import { describe, expect, it } from "vitest";
import {
  countText,
  filtersFromSearch,
  offsetFromSearch,
  searchFromFilters,
  targetHref,
  timeboxLabel,
  type AuditListRow,
} from "./audit-rows";

const RAISE_ID = "3f2b8c1e-5d4a-4e8f-9a7b-1c2d3e4f5a6b";

function row(over: Partial<AuditListRow>): AuditListRow {
  return {
    id: "a1",
    kind: "action",
    ts: "2026-01-01T00:00:00.000Z",
    actor: "ana",
    role: "operator",
    sourceIp: null,
    action: "container.restart",
    target: null,
    targetId: null,
    params: {},
    reason: "INC-1",
    outcome: "succeeded",
    durationMs: 10,
    error: null,
    ...over,
  };
}

describe("audit filters in the URL", () => {
  it("reads the known keys, trimmed, and writes them back in one order", () => {
    const f = filtersFromSearch("?target=%20dify%20&action=pids&bogus=1&actor=");
    expect(f).toEqual({ target: "dify", action: "pids" });
    expect(searchFromFilters(f)).toBe("action=pids&target=dify");
    expect(searchFromFilters({ target: "default/mail", action: "queue." }, 100)).toBe(
      "action=queue.&target=default%2Fmail&offset=100",
    );
    expect(filtersFromSearch(searchFromFilters({ target: "a&b=c", outcome: "failed" }))).toEqual({
      target: "a&b=c",
      outcome: "failed",
    });
  });

  it("cuts over-long values to the API's bounds and drops timestamps that are not dates", () => {
    expect(filtersFromSearch(`target=${"x".repeat(600)}`).target).toHaveLength(500);
    expect(filtersFromSearch(`action=${"y".repeat(300)}`).action).toHaveLength(200);
    expect(filtersFromSearch("from=yesterday&to=2026-01-01T10:00:00.000Z")).toEqual({
      to: "2026-01-01T10:00:00.000Z",
    });
  });

  it("reads the offset as a whole number, 0 otherwise", () => {
    expect(offsetFromSearch("offset=200")).toBe(200);
    for (const bad of ["", "offset=-5", "offset=1.5", "offset=abc", "offset=9999999"])
      expect(offsetFromSearch(bad)).toBe(0);
  });
});

describe("countText", () => {
  it("says how many entries the filter shows, and which ones on a later page", () => {
    expect(countText(12, 0, 100, true)).toBe("12 entries match the filter");
    expect(countText(1, 0, 100, true)).toBe("1 entry matches the filter");
    expect(countText(0, 0, 100, false)).toBe("0 entries shown");
    expect(countText(100, 0, 100, false)).toBe("entries 1–100, newest first, shown");
    expect(countText(100, 1000, 100, true)).toBe("entries 1,001–1,100, newest first, matching the filter");
    expect(countText(3, 100, 100, true)).toBe("entries 101–103, newest first, matching the filter");
    expect(countText(0, 200, 100, true)).toBe("no entries match the filter past the newest 200");
  });
});

describe("timeboxLabel", () => {
  it("labels a time-boxed raise with its duration, a plain raise not at all", () => {
    expect(
      timeboxLabel(row({ action: "container.set-pids-limit", params: { limit: 2000, revertAfterSeconds: 300 } })),
    ).toEqual({ kind: "raise", text: "time-boxed raise: reverts after 5m" });
    expect(timeboxLabel(row({ action: "cgroup.set-pids-max", params: { value: 200, timeboxSeconds: 7200 } }))).toEqual({
      kind: "raise",
      text: "time-boxed raise: reverts after 2.0h",
    });
    expect(timeboxLabel(row({ action: "container.set-pids-limit", params: { limit: 2000 } }))).toBeNull();
    // A cgroup raise's box is timeboxSeconds, not the container action's parameter name.
    expect(timeboxLabel(row({ action: "cgroup.set-pids-max", params: { revertAfterSeconds: 60 } }))).toBeNull();
  });

  it("labels the system's revert with the raise it undoes, and a keep", () => {
    expect(
      timeboxLabel(
        row({
          action: "container.set-pids-limit",
          actor: "system:timebox",
          params: { limit: 1200 },
          reason: `time box 7 expired without confirmation (raised in ${RAISE_ID})`,
        }),
      ),
    ).toEqual({ kind: "revert", text: "time-box revert", raisedIn: RAISE_ID });
    expect(
      timeboxLabel(row({ action: "cgroup.set-pids-max", actor: "system:timebox", params: { value: 40 }, reason: "" })),
    ).toEqual({ kind: "revert", text: "time-box revert" });
    expect(timeboxLabel(row({ action: "cgroup.confirm-pids-max" }))).toEqual({ kind: "keep", text: "time box kept" });
    expect(timeboxLabel(row({ action: "container.restart", actor: "system:timebox" }))).toBeNull();
  });
});

describe("targetHref", () => {
  const full = "9f".repeat(32);
  it("links a container by its recorded id, else by what was asked for", () => {
    expect(
      targetHref(row({ action: "container.restart", target: "local/dify-worker-1", targetId: `local/${full}` })),
    ).toBe(`/containers/local/${full}`);
    expect(targetHref(row({ action: "cgroup.set-pids-max", target: "local/dify-worker-1", targetId: null }))).toBe(
      "/containers/local/dify-worker-1",
    );
  });

  it("links broker/queue to the queue page and broker/hostname to the worker page, encoded", () => {
    expect(targetHref(row({ action: "queue.purge", target: "default/priority dataset" }))).toBe(
      "/queues/default/priority%20dataset",
    );
    expect(targetHref(row({ action: "worker.rate-limit", target: "default/celery@host-1" }))).toBe(
      "/workers/default/celery%40host-1",
    );
  });

  it("gives no link to events, bare names or other kinds of target", () => {
    expect(targetHref(row({ kind: "event", action: "login", target: "ana" }))).toBeNull();
    expect(targetHref(row({ action: "queue.purge", target: "dataset" }))).toBeNull();
    expect(targetHref(row({ action: "queue.purge", target: "default/" }))).toBeNull();
    expect(targetHref(row({ action: "settings.update", target: "alerts/queue-depth" }))).toBeNull();
    expect(targetHref(row({ action: "container.restart", target: null }))).toBeNull();
  });
});
