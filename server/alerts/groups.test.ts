import { describe, expect, it } from "vitest";
import { groupAlerts } from "./groups";
import type { AlertRecord, AlertTarget, RuleId } from "./types";

const queue = (name: string): AlertTarget => ({ kind: "queue", broker: "default", queue: name });
const box: AlertTarget = { kind: "container", host: "local", id: "ba1b85692023", name: "leaker" };

function alert(rule: RuleId, target: AlertTarget, over: Partial<AlertRecord> = {}): AlertRecord {
  const label = target.kind === "queue" ? `default/${target.queue}` : "local/leaker";
  return {
    id: `${rule}-${label}`,
    fingerprint: `${rule}|${label}`,
    rule,
    severity: "warning",
    target,
    targetLabel: label,
    summary: rule,
    value: null,
    state: "firing",
    pendingSince: 0,
    firedAt: 1_000,
    ackedBy: null,
    ackedAt: null,
    silencedUntil: null,
    silencedBy: null,
    silenceComment: null,
    resolvedAt: null,
    notifiedAt: null,
    updatedAt: 0,
    ...over,
  };
}

describe("alert groups", () => {
  it("puts a queue's two alerts in one group, worst alert first", () => {
    const groups = groupAlerts([
      alert("queue-depth", queue("mail")),
      alert("queue-no-consumer", queue("mail"), { severity: "critical" }),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.alerts.map((a) => a.rule)).toEqual(["queue-no-consumer", "queue-depth"]);
    expect(groups[0]).toMatchObject({ severity: "critical", firing: 2, targetLabel: "default/mail" });
  });

  it("leads with the container refusing forks over newer critical queue alerts, and firing before acknowledged", () => {
    const groups = groupAlerts([
      alert("queue-no-consumer", queue("mail"), { severity: "critical", firedAt: 9_000 }),
      alert("queue-depth", queue("old"), { state: "acknowledged", severity: "critical", firedAt: 10_000 }),
      alert("container-refused", box, { severity: "critical", firedAt: 2_000 }),
      alert("queue-depth", queue("new"), { firedAt: 20_000 }),
    ]);
    expect(groups.map((g) => g.targetLabel)).toEqual(["local/leaker", "default/mail", "default/new", "default/old"]);
  });

  it("orders equally bad groups newest first", () => {
    const groups = groupAlerts([
      alert("queue-depth", queue("a"), { firedAt: 1_000 }),
      alert("queue-depth", queue("b"), { firedAt: 5_000 }),
    ]);
    expect(groups.map((g) => g.targetLabel)).toEqual(["default/b", "default/a"]);
  });
});
