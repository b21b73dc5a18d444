import { describe, expect, it } from "vitest";
import { afterAttempt, DEFAULT_POLICY, enqueueItems, formatDelivery } from "./outbox";
import type { DeliveryItem, DeliveryRecord } from "./types";

const hooks = [
  { format: "json" as const, url: "http://127.0.0.1:9999/hook" },
  { format: "slack" as const, url: "http://127.0.0.1:9999/slack" },
];
const item = (
  alertId: string,
  kind: DeliveryItem["kind"] = "firing",
  rule: DeliveryItem["rule"] = "container-share",
): DeliveryItem => ({
  alertId,
  kind,
  rule,
  severity: "critical",
  targetLabel: `local/${alertId}`,
  summary: `local/${alertId}: 36 of 40 pids`,
  at: 1000,
  runbookPath: `/runbooks/new?alert=${alertId}`,
});
let n = 0;
const newId = () => `d${++n}`;

describe("webhook outbox", () => {
  it("groups a rule's alerts into one message per webhook, and waits groupWait before sending", () => {
    const out = enqueueItems(
      [],
      [item("a"), item("b"), item("c", "firing", "queue-depth")],
      hooks,
      new Map(),
      10_000,
      DEFAULT_POLICY,
      newId,
    );
    expect(out).toHaveLength(4); // 2 rules x 2 webhooks
    const share = out.filter((d) => d.groupKey === "container-share");
    expect(share.map((d) => d.items.map((i) => i.alertId))).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
    expect(share.every((d) => d.notBefore === 10_000 + DEFAULT_POLICY.groupWaitMs)).toBe(true);
  });

  it("rate-limits a group: the next message waits until minInterval after the last sent one, gathering what comes meanwhile", () => {
    const last = new Map([["container-share\u0000http://127.0.0.1:9999/hook", 50_000]]);
    const first = enqueueItems([], [item("a")], [hooks[0]!], last, 60_000, DEFAULT_POLICY, newId);
    expect(first[0]!.notBefore).toBe(50_000 + DEFAULT_POLICY.minIntervalMs);
    const second = enqueueItems(
      first,
      [item("b"), item("a", "resolved")],
      [hooks[0]!],
      last,
      70_000,
      DEFAULT_POLICY,
      newId,
    );
    expect(second).toHaveLength(1);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(second[0]!.items.map((i) => `${i.alertId}:${i.kind}`)).toEqual(["b:firing", "a:resolved"]);
  });

  it("retries with exponential backoff, then gives up as failed; success records the status", () => {
    let d: DeliveryRecord = enqueueItems([], [item("a")], [hooks[0]!], new Map(), 0, DEFAULT_POLICY, newId)[0]!;
    const waits: number[] = [];
    for (let i = 0; i < DEFAULT_POLICY.maxAttempts - 1; i++) {
      d = afterAttempt(d, { ok: false, status: 503, error: "HTTP 503" }, 1000, DEFAULT_POLICY);
      expect(d.status).toBe("retrying");
      waits.push(d.notBefore - 1000);
    }
    expect(waits).toEqual([5000, 10_000, 20_000, 40_000, 80_000]);
    d = afterAttempt(d, { ok: false, status: null, error: "connect ECONNREFUSED" }, 2000, DEFAULT_POLICY);
    expect(d).toMatchObject({
      status: "failed",
      attempts: DEFAULT_POLICY.maxAttempts,
      lastError: "connect ECONNREFUSED",
    });
    const ok = afterAttempt(
      { ...d, status: "queued", attempts: 0 },
      { ok: true, status: 204, error: null },
      3000,
      DEFAULT_POLICY,
    );
    expect(ok).toMatchObject({ status: "sent", sentAt: 3000, responseStatus: 204, lastError: null });
  });

  it("formats the generic JSON body and a Slack-compatible one with runbook links and a resolve section", () => {
    const [json, slack] = enqueueItems(
      [],
      [item("a"), item("b", "resolved")],
      hooks,
      new Map(),
      0,
      DEFAULT_POLICY,
      newId,
    );
    const body = formatDelivery(json!, "http://console:3000") as {
      status: string;
      title: string;
      alerts: { id: string; status: string; runbookUrl: string }[];
    };
    expect(body.title).toBe("[FIRING:1 RESOLVED:1] container-share");
    expect(body.status).toBe("firing");
    expect(body.alerts[0]).toMatchObject({
      id: "a",
      status: "firing",
      runbookUrl: "http://console:3000/runbooks/new?alert=a",
    });
    const s = formatDelivery(slack!, "http://console:3000") as {
      text: string;
      attachments: { title: string; color: string; text: string }[];
    };
    expect(s.text).toBe("[FIRING:1 RESOLVED:1] container-share");
    expect(s.attachments.map((a) => `${a.title}/${a.color}`)).toEqual(["Firing/danger", "Resolved/good"]);
    expect(s.attachments[0]!.text).toContain("<http://console:3000/runbooks/new?alert=a|runbook>");
  });
});
