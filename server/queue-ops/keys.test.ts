import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LAYOUT } from "@/server/celery/kombu-keys";
import { consumeOrder, messagePriority, priorityListKey, stepFor } from "./keys";

const layout = { ...DEFAULT_LAYOUT, prefix: "lw:", prioritySteps: [0, 3, 6, 9] };
const key = (b: Buffer) => b.toString("latin1");

describe("kombu key layout", () => {
  it("names priority sub-lists as kombu's _q_for_pri does", () => {
    expect(key(priorityListKey(layout, "dataset", 0))).toBe("lw:dataset");
    expect(key(priorityListKey(layout, "dataset", 6))).toBe("lw:dataset\x06\x166");
    expect(key(priorityListKey({ ...layout, prefix: "" }, "mail", 5))).toBe("mail\x06\x163");
  });

  it("follows a configured sep and ten steps (Celery's routing guide: sep ':', priority_steps range(10))", () => {
    const ten = { ...layout, prefix: "", sep: ":", prioritySteps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
    expect([0, 1, 5, 9].map((p) => key(priorityListKey(ten, "mail", p)))).toEqual([
      "mail",
      "mail:1",
      "mail:5",
      "mail:9",
    ]);
  });

  it("maps a priority to the largest step at or below it", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => stepFor(n, [0, 3, 6, 9]))).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9]);
    expect(stepFor(4, [0, 5])).toBe(0);
    // kombu 5.2 Channel.priority: steps[bisect(steps, n) - 1] is steps[-1] (the LAST step) below every step.
    expect(stepFor(1, [2, 5])).toBe(5);
    expect(consumeOrder([9, 0, 6, 3, 3])).toEqual([0, 3, 6, 9]);
  });

  it("reads the priority from a real Celery 5.2 envelope and clamps it", () => {
    // Captured from the test broker: fixtures/celery/produce.py --queue dataset --priority 6.
    const envelope = JSON.parse(
      readFileSync(new URL("./__fixtures__/celery52-envelope-priority6.json", import.meta.url), "utf8"),
    );
    expect(envelope.headers.task).toBe("tasks.index_document");
    expect(messagePriority(envelope)).toBe(6);
    expect(messagePriority({ properties: { priority: 42 } })).toBe(9);
    expect(messagePriority({ properties: {} })).toBe(0);
    expect(messagePriority(null)).toBe(0);
  });
});
