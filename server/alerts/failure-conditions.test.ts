import { describe, expect, it } from "vitest";
import { evaluateConditions } from "./conditions";
import { DEFAULT_RULES, RULE_IDS, type AlertRule } from "./types";

// The task rules on what the store reported: a task failing often within the window, an exception type not seen
// before; brokers whose failures were read are scopes (their task alerts may resolve), others are not.

const rules: AlertRule[] = RULE_IDS.map((id) => ({ ...DEFAULT_RULES[id], updatedAt: null, updatedBy: null }));

describe("task failure rules", () => {
  it("fires for a task at or over the failure threshold and names the window", () => {
    const { conditions, scopes } = evaluateConditions(
      {
        failures: {
          brokers: ["dify"],
          counts: [
            { broker: "dify", task: "tasks.fail", count: 10 },
            { broker: "dify", task: "tasks.ok_mostly", count: 9 },
          ],
          newTypes: [],
        },
      },
      rules,
    );
    expect(scopes.has("results:dify")).toBe(true);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      rule: "task-failures",
      fingerprint: "task-failures|dify|tasks.fail",
      target: { kind: "task", broker: "dify", task: "tasks.fail", exc: null },
      value: 10,
    });
    expect(conditions[0]!.summary).toBe("tasks.fail on dify: 10 failures in the last 10 min (threshold 10)");
  });

  it("fires once per new exception type, and not when the rule is off", () => {
    const failures = {
      brokers: ["dify"],
      counts: [],
      newTypes: [{ broker: "dify", exc: "KeyError", task: "tasks.index", first: Date.UTC(2026, 0, 1), count: 2 }],
    };
    const on = evaluateConditions({ failures }, rules).conditions;
    expect(on.map((c) => c.fingerprint)).toEqual(["task-new-exception|dify|KeyError"]);
    expect(on[0]!.summary).toContain("New exception type KeyError on dify (from tasks.index)");
    const off = rules.map((r) => (r.id === "task-new-exception" ? { ...r, enabled: false } : r));
    expect(evaluateConditions({ failures }, off).conditions).toEqual([]);
  });
});
