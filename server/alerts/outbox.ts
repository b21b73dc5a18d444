import "server-only";
import type { WebhookConfig } from "@/server/config";
import type { DeliveryItem, DeliveryRecord } from "./types";

// Pure: how notifications become webhook deliveries. Items of one rule are grouped into one message per webhook;
// a group gets at most one message per `minIntervalMs` (rate limit), and a message waits `groupWaitMs` so a
// burst of targets goes out together. Failed sends retry with exponential backoff, then stop as "failed".

export interface DeliveryPolicy {
  groupWaitMs: number;
  minIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_POLICY: DeliveryPolicy = {
  groupWaitMs: 3000,
  minIntervalMs: 60_000,
  maxAttempts: 6,
  backoffBaseMs: 5000,
  backoffMaxMs: 5 * 60_000,
};

const slot = (groupKey: string, url: string) => `${groupKey}\u0000${url}`;

/**
 * Adds items to the queued delivery of their group (one per webhook), or opens a new one.
 * `lastSentAt` maps group+url to when that group's last message was sent (for the rate limit).
 */
export function enqueueItems(
  queued: DeliveryRecord[],
  items: DeliveryItem[],
  hooks: WebhookConfig[],
  lastSentAt: Map<string, number>,
  now: number,
  policy: DeliveryPolicy,
  newId: () => string,
): DeliveryRecord[] {
  const open = new Map(
    queued.filter((d) => d.status === "queued").map((d) => [slot(d.groupKey, d.url), { ...d, items: [...d.items] }]),
  );
  const touched = new Set<string>();
  for (const it of items) {
    for (const h of hooks) {
      const key = slot(it.rule, h.url);
      let d = open.get(key);
      if (!d) {
        const last = lastSentAt.get(key);
        const notBefore = Math.max(now + policy.groupWaitMs, last === undefined ? 0 : last + policy.minIntervalMs);
        d = {
          id: newId(),
          groupKey: it.rule,
          url: h.url,
          format: h.format,
          items: [],
          status: "queued",
          attempts: 0,
          notBefore,
          createdAt: now,
          sentAt: null,
          lastError: null,
          responseStatus: null,
        };
        open.set(key, d);
      }
      // One line per alert: a later state (resolved) replaces an earlier one still waiting in the same message.
      d.items = [...d.items.filter((x) => x.alertId !== it.alertId), it];
      touched.add(key);
    }
  }
  return [...touched].map((k) => open.get(k)!);
}

export function afterAttempt(
  d: DeliveryRecord,
  r: { ok: boolean; status: number | null; error: string | null },
  now: number,
  policy: DeliveryPolicy,
): DeliveryRecord {
  const attempts = d.attempts + 1;
  if (r.ok) return { ...d, attempts, status: "sent", sentAt: now, lastError: null, responseStatus: r.status };
  const failed = attempts >= policy.maxAttempts;
  const backoff = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempts - 1));
  return {
    ...d,
    attempts,
    status: failed ? "failed" : "retrying",
    notBefore: failed ? d.notBefore : now + backoff,
    lastError: r.error,
    responseStatus: r.status,
  };
}

function headline(d: DeliveryRecord): { firing: DeliveryItem[]; resolved: DeliveryItem[]; title: string } {
  const firing = d.items.filter((i) => i.kind === "firing");
  const resolved = d.items.filter((i) => i.kind === "resolved");
  const parts = [
    firing.length ? `FIRING:${firing.length}` : null,
    resolved.length ? `RESOLVED:${resolved.length}` : null,
  ].filter(Boolean);
  return { firing, resolved, title: `[${parts.join(" ")}] ${d.groupKey}` };
}

/** The request body: a generic JSON document, or Slack's incoming-webhook shape (text + attachments). */
export function formatDelivery(d: DeliveryRecord, publicUrl: string): unknown {
  const { firing, resolved, title } = headline(d);
  const link = (p: string | null) => (p ? `${publicUrl}${p}` : null);
  if (d.format === "json") {
    return {
      version: 1,
      source: "leakwatch",
      group: d.groupKey,
      title,
      status: firing.length ? "firing" : "resolved",
      alerts: d.items.map((i) => ({
        id: i.alertId,
        status: i.kind,
        rule: i.rule,
        severity: i.severity,
        target: i.targetLabel,
        summary: i.summary,
        at: new Date(i.at).toISOString(),
        runbookUrl: link(i.runbookPath),
        alertsUrl: `${publicUrl}/alerts`,
      })),
    };
  }
  const line = (i: DeliveryItem) => `• ${i.summary}${i.runbookPath ? ` — <${link(i.runbookPath)}|runbook>` : ""}`;
  return {
    text: title,
    attachments: [
      ...(firing.length
        ? [
            {
              color: firing.some((i) => i.severity === "critical") ? "danger" : "warning",
              title: "Firing",
              text: firing.map(line).join("\n"),
            },
          ]
        : []),
      ...(resolved.length ? [{ color: "good", title: "Resolved", text: resolved.map(line).join("\n") }] : []),
    ],
  };
}
