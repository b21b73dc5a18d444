import "server-only";
import { runbookFor, type AlertRecord, type AlertRule, type DeliveryItem } from "./types";
import { scopeOf, type Condition } from "./conditions";

// Pure: one evaluation step of the alert lifecycle. pending -> firing after the rule's `for`; firing ->
// acknowledged / silenced by people (service.ts); silenced -> firing again when the silence expires;
// any active state -> resolved when the condition stops holding. Notifications say what to send.

export interface StepResult {
  upsert: AlertRecord[];
  remove: string[];
  notify: DeliveryItem[];
}

const ACTIVE = new Set(["pending", "firing", "acknowledged", "silenced"]);

export function runbookPath(a: Pick<AlertRecord, "id" | "target">): string | null {
  return runbookFor(a.target) ? `/runbooks/new?alert=${encodeURIComponent(a.id)}` : null;
}

function item(a: AlertRecord, kind: DeliveryItem["kind"], now: number): DeliveryItem {
  return {
    alertId: a.id,
    kind,
    rule: a.rule,
    severity: a.severity,
    targetLabel: a.targetLabel,
    summary: a.summary,
    at: now,
    runbookPath: runbookPath(a),
  };
}

export function stepAlerts(
  active: AlertRecord[],
  conditions: Condition[],
  scopes: Set<string>,
  rules: AlertRule[],
  now: number,
  newId: () => string,
): StepResult {
  const byFp = new Map(active.filter((a) => ACTIVE.has(a.state)).map((a) => [a.fingerprint, a]));
  const ruleOf = new Map(rules.map((r) => [r.id, r]));
  const upsert: AlertRecord[] = [];
  const remove: string[] = [];
  const notify: DeliveryItem[] = [];
  const seen = new Set<string>();

  for (const c of conditions) {
    seen.add(c.fingerprint);
    const forMs = (ruleOf.get(c.rule)?.forSeconds ?? 0) * 1000;
    const prev = byFp.get(c.fingerprint);
    let a: AlertRecord = prev
      ? {
          ...prev,
          summary: c.summary,
          value: c.value,
          severity: c.severity,
          targetLabel: c.targetLabel,
          target: c.target,
          updatedAt: now,
        }
      : {
          id: newId(),
          fingerprint: c.fingerprint,
          rule: c.rule,
          severity: c.severity,
          target: c.target,
          targetLabel: c.targetLabel,
          summary: c.summary,
          value: c.value,
          state: "pending",
          pendingSince: now,
          firedAt: null,
          ackedBy: null,
          ackedAt: null,
          silencedUntil: null,
          silencedBy: null,
          silenceComment: null,
          resolvedAt: null,
          notifiedAt: null,
          updatedAt: now,
        };
    if (a.state === "pending" && now - a.pendingSince >= forMs) {
      a = { ...a, state: "firing", firedAt: now, notifiedAt: now };
      notify.push(item(a, "firing", now));
    } else if (a.state === "silenced" && a.silencedUntil !== null && a.silencedUntil <= now) {
      // The silence ran out while the condition still holds: people hear about it again.
      a = { ...a, state: "firing", silencedUntil: null, notifiedAt: now };
      notify.push(item(a, "firing", now));
    }
    upsert.push(a);
  }

  for (const a of byFp.values()) {
    if (seen.has(a.fingerprint)) continue;
    if (!scopes.has(scopeOf(a.target))) continue; // not evaluated this pass: keep as is
    if (a.state === "pending") {
      remove.push(a.id);
      continue;
    }
    const wasSilenced = a.state === "silenced" && (a.silencedUntil ?? 0) > now;
    const resolved: AlertRecord = { ...a, state: "resolved", resolvedAt: now, updatedAt: now };
    upsert.push(resolved);
    if (a.notifiedAt !== null && !wasSilenced) notify.push(item(resolved, "resolved", now));
  }
  return { upsert, remove, notify };
}
