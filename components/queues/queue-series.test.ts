import { describe, expect, it } from "vitest";
import type { QueuePoint } from "@/server/schemas/api";
import type { QueueSummary } from "@/server/schemas/queues";
import { appendLiveQueue, queueColumns } from "./queue-series";

const p = (ts: number, depth: number): QueuePoint => ({
  ts,
  depth,
  unacked: 1,
  orphaned: 0,
  rateIn: null,
  rateOut: null,
  res: 0,
});
const summary = {
  name: "dataset",
  depth: 42,
  byPriority: {},
  unacked: 3,
  orphaned: 1,
  consumers: [],
  ratePerMinuteIn: 6,
  ratePerMinuteOut: 0,
  drainSeconds: null,
  oldestSeenSeconds: 30,
  threshold: 100,
  status: "warn",
  origins: [],
} satisfies QueueSummary;

describe("appendLiveQueue", () => {
  it("appends a newer broker sample and ignores a repeated one", () => {
    const once = appendLiveQueue([p(1000, 1)], summary, 2000);
    expect(once.map((x) => [x.ts, x.depth, x.unacked, x.orphaned])).toEqual([
      [1000, 1, 1, 0],
      [2000, 42, 3, 1],
    ]);
    expect(appendLiveQueue(once, summary, 2000)).toBe(once);
    expect(appendLiveQueue(once, summary, null)).toBe(once);
  });
});

describe("queueColumns", () => {
  it("merges live points after stored history and clips to the range", () => {
    const [x, depth, unacked, orphaned] = queueColumns([p(0, 1), p(5000, 2)], [p(5000, 9), p(9000, 3)], 5000);
    expect(x).toEqual([5, 9]);
    expect(depth).toEqual([2, 3]);
    expect(unacked).toEqual([1, 1]);
    expect(orphaned).toEqual([0, 0]);
  });
  it("holds a custom window to its bounds", () => {
    const [x] = queueColumns([p(0, 1), p(5000, 2)], [p(9000, 3)], { fromMs: 1000, toMs: 8000 });
    expect(x).toEqual([5]);
  });
});
