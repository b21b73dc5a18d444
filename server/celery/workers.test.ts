import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { onEvent, isFresh, type Heartbeat } from "./heartbeats";
import { exchangeTypesOf, poolKind } from "./workers";

const fixture = (name: string): string =>
  (JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8")) as { raw: string }).raw;

describe("poolKind", () => {
  it("recognises Celery 5.2 pools by their stats keys and 5.3's implementation", () => {
    const replies = JSON.parse(fixture("worker-replies")) as { stats: Record<string, { pool: unknown }> };
    const [stats] = Object.values(replies.stats);
    expect(poolKind(stats?.pool)).toBe("prefork");
    expect(poolKind({ "max-concurrency": 4, threads: 4 })).toBe("threads");
    expect(
      poolKind({ "max-concurrency": 1, processes: [1], "max-tasks-per-child": null, "put-guarded-by-semaphore": true }),
    ).toBe("solo");
    expect(poolKind({ implementation: "celery.concurrency.prefork:TaskPool" })).toBe("prefork");
    expect(poolKind({ implementation: "celery.concurrency.thread:TaskPool" })).toBe("threads");
    expect(poolKind("N/A")).toBeNull();
  });
});

describe("heartbeat events", () => {
  it("records a real worker-heartbeat and ages it out after two intervals", () => {
    const beats = new Map<string, Heartbeat>();
    onEvent(beats, fixture("event-heartbeat"), 1_000);
    const [b] = [...beats.values()];
    expect(b).toMatchObject({ hostname: "capture@fixture", freqSeconds: 2, offline: false, lastSeenMs: 1_000 });
    expect(isFresh(b as Heartbeat, 4_900)).toBe(true);
    expect(isFresh(b as Heartbeat, 5_100)).toBe(false);
    onEvent(beats, "not json", 2_000);
    expect(beats.size).toBe(1);
  });
});

describe("exchangeTypesOf (Celery's active_queues reply: queue.as_dict(recurse=True))", () => {
  it("reads each queue's exchange type from a real Celery 5.2 reply, and ignores what kombu cannot route by", () => {
    const replies = JSON.parse(fixture("worker-replies")) as { active_queues: Record<string, unknown> };
    const [reply] = Object.values(replies.active_queues);
    expect(new Map(exchangeTypesOf(reply)).get("dataset")).toBe("direct");
    expect(
      exchangeTypesOf([
        { name: "bcast.1", exchange: { name: "broadcast_tasks", type: "fanout" } },
        { name: "h", exchange: { name: "hx", type: "headers" } }, // not one of kombu's virtual exchange types
        { name: "anon", exchange: { name: "", type: "direct" } }, // the anonymous exchange routes by queue name
        { name: "broken", exchange: "x" },
      ]),
    ).toEqual([["broadcast_tasks", "fanout"]]);
  });
});
