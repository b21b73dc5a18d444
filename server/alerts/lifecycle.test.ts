import { describe, expect, it } from "vitest";
import type { ContainersResponse, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";
import { evaluateConditions, type Snapshots } from "./conditions";
import { stepAlerts } from "./lifecycle";
import { DEFAULT_RULES, RULE_IDS, type AlertRecord, type AlertRule } from "./types";

const rules = (over: Partial<Record<string, Partial<AlertRule>>> = {}): AlertRule[] =>
  RULE_IDS.map((id) => ({ ...DEFAULT_RULES[id], updatedAt: null, updatedBy: null, ...over[id] }));

function container(current: number, over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    host: "local",
    id: "ba1b85692023be06c561a793bd01d89ea54094f4f972c07815cecf9e24360676",
    name: "leaker",
    image: "leaker",
    state: "running",
    labels: {},
    via: "cgroupfs",
    pids: {
      current,
      limit: null,
      effectiveLimit: 40,
      limitSource: "ancestor",
      limitPath: "/lw-parent",
      peak: current,
      refusedTotal: 0,
    },
    growthPerMinute: 0,
    etaSeconds: null,
    learningSeconds: null,
    status: "ok",
    reasons: [],
    refusingNow: false,
    lastRefusalAt: null,
    sampledAt: 0,
    spark: [],
    ...over,
  };
}
const fleet = (...c: ContainerSummary[]): ContainersResponse => ({
  containers: c,
  hosts: [{ name: "local", ok: true, error: null, via: "cgroupfs", sampledAt: 0 }],
});

let n = 0;
const newId = () => `a${++n}`;

function run(active: AlertRecord[], s: Snapshots, r: AlertRule[], now: number) {
  const { conditions, scopes } = evaluateConditions(s, r);
  const out = stepAlerts(active, conditions, scopes, r, now, newId);
  const removed = new Set(out.remove);
  const byId = new Map(active.filter((a) => !removed.has(a.id)).map((a) => [a.id, a]));
  for (const a of out.upsert) byId.set(a.id, a);
  return {
    next: [...byId.values()].filter((a) => a.state !== "resolved"),
    all: [...byId.values()],
    notify: out.notify,
  };
}

describe("alert lifecycle", () => {
  it("fires only after the rule's `for` duration, then resolves with a resolve notification", () => {
    const r = rules({ "container-share": { forSeconds: 30 } });
    let s = run([], { containers: fleet(container(35)) }, r, 0);
    expect(s.next).toHaveLength(1);
    expect(s.next[0]).toMatchObject({ rule: "container-share", state: "pending", targetLabel: "local/leaker" });
    expect(s.notify).toEqual([]);
    s = run(s.next, { containers: fleet(container(36)) }, r, 29_000);
    expect(s.next[0]!.state).toBe("pending");
    s = run(s.next, { containers: fleet(container(36)) }, r, 30_000);
    expect(s.next[0]!.state).toBe("firing");
    expect(s.notify).toMatchObject([
      { kind: "firing", rule: "container-share", runbookPath: `/runbooks/new?alert=${s.next[0]!.id}` },
    ]);
    expect(s.next[0]!.summary).toContain("36 of 40 pids (90% of the effective limit, from ancestor)");
    const fired = s.next;
    s = run(fired, { containers: fleet(container(5)) }, r, 40_000);
    expect(s.next).toEqual([]);
    expect(s.all[0]).toMatchObject({ state: "resolved", resolvedAt: 40_000 });
    expect(s.notify).toMatchObject([{ kind: "resolved" }]);
  });

  it("a condition that clears while pending leaves no alert and sends nothing", () => {
    const r = rules();
    const s1 = run([], { containers: fleet(container(35)) }, r, 0);
    const s2 = run(s1.next, { containers: fleet(container(3)) }, r, 5000);
    expect(s2.all).toEqual([]);
    expect(s2.notify).toEqual([]);
  });

  it("a silence holds until its end, then the alert fires again; a silenced alert resolves quietly", () => {
    const r = rules({ "container-refused": { forSeconds: 0 } });
    const refusing = container(40, { pids: { ...container(40).pids, refusedTotal: 12 }, refusingNow: true });
    let s = run([], { containers: fleet(refusing) }, r, 0);
    const fired = s.next.find((a) => a.rule === "container-refused")!;
    expect(fired.state).toBe("firing");
    const silenced: AlertRecord = {
      ...fired,
      state: "silenced",
      silencedUntil: 60_000,
      silencedBy: "oncall",
      silenceComment: "known, fixing",
    };
    s = run([silenced], { containers: fleet(refusing) }, r, 30_000);
    expect(s.next.find((a) => a.id === fired.id)!.state).toBe("silenced");
    expect(s.notify.filter((x) => x.rule === "container-refused")).toEqual([]);
    s = run(s.next, { containers: fleet(refusing) }, r, 60_000);
    expect(s.next.find((a) => a.id === fired.id)).toMatchObject({ state: "firing", silencedUntil: null });
    expect(s.notify.filter((x) => x.rule === "container-refused")).toMatchObject([{ kind: "firing" }]);
    const quiet = run([{ ...silenced, silencedUntil: 999_000 }], { containers: fleet(container(3)) }, r, 70_000);
    expect(quiet.all.find((a) => a.id === fired.id)!.state).toBe("resolved");
    expect(quiet.notify).toEqual([]);
  });

  it("refused forks fire at once and resolve after the quiet period without new refusals, not only at a restart", () => {
    const r = rules({ "container-refused": { params: { quietSeconds: 600 } } });
    const refused = (sampledAt: number, lastRefusalAt: number, refusingNow = false) =>
      container(40, { pids: { ...container(40).pids, refusedTotal: 12 }, refusingNow, lastRefusalAt, sampledAt });
    let s = run([], { containers: fleet(refused(1000, 1000, true)) }, r, 1000);
    expect(s.next.find((a) => a.rule === "container-refused")?.state).toBe("firing");
    // The counter still says 12 but nothing new for 9 minutes: still firing.
    s = run(s.next, { containers: fleet(refused(541_000, 1000)) }, r, 541_000);
    expect(s.next.find((a) => a.rule === "container-refused")?.state).toBe("firing");
    // 10 minutes without a new refusal: resolved, with a resolve notification.
    s = run(s.next, { containers: fleet(refused(601_000, 1000)) }, r, 601_000);
    expect(s.all.find((a) => a.rule === "container-refused")?.state).toBe("resolved");
    expect(s.notify).toMatchObject([{ kind: "resolved", rule: "container-refused" }]);
    // A counter that never moved while watched (lastRefusalAt null) does not fire.
    const untouched = run(
      [],
      { containers: fleet(container(40, { pids: { ...container(40).pids, refusedTotal: 5 } })) },
      r,
      0,
    );
    expect(untouched.next.filter((a) => a.rule === "container-refused")).toEqual([]);
  });

  it("a Docker host that is down neither fires nor resolves its containers' alerts", () => {
    const r = rules({ "container-share": { forSeconds: 0 } });
    const s = run([], { containers: fleet(container(39)) }, r, 0);
    const down: ContainersResponse = {
      ...fleet(container(2)),
      hosts: [{ name: "local", ok: false, error: "EACCES", via: null, sampledAt: 0 }],
    };
    const after = run(s.next, { containers: down }, r, 10_000);
    expect(after.next.find((a) => a.rule === "container-share")?.state).toBe("firing");
    expect(after.notify).toEqual([]);
  });

  it("queue rules: depth over threshold, no consumer, orphaned; a worker gone; a disabled rule is silent", () => {
    const queues: QueuesResponse = {
      brokers: [
        {
          name: "default",
          ok: true,
          error: null,
          sampledAt: 1,
          queues: [
            {
              name: "dataset",
              depth: 250,
              byPriority: {},
              unacked: 3,
              orphaned: 3,
              consumers: [],
              ratePerMinuteIn: null,
              ratePerMinuteOut: null,
              drainSeconds: null,
              oldestSeenSeconds: null,
              threshold: 200,
              status: "critical",
              origins: ["configured"],
            },
            {
              name: "mail",
              depth: 10,
              byPriority: {},
              unacked: 0,
              orphaned: 0,
              consumers: ["w1@h"],
              ratePerMinuteIn: null,
              ratePerMinuteOut: null,
              drainSeconds: null,
              oldestSeenSeconds: null,
              threshold: 200,
              status: "ok",
              origins: ["configured"],
            },
          ],
        },
      ],
    };
    const workers: WorkersResponse = {
      workers: [
        {
          broker: "default",
          hostname: "w2@h",
          alive: false,
          lastSeen: 1,
          pool: "prefork",
          concurrency: 2,
          processes: [],
          autoscale: null,
          queues: ["dataset"],
          active: 0,
          reserved: 0,
          scheduled: 0,
          via: "heartbeat",
        },
      ],
    };
    const { conditions } = evaluateConditions({ queues, workers }, rules({ "queue-orphaned": { enabled: false } }));
    expect(conditions.map((c) => `${c.rule} ${c.targetLabel}`).sort()).toEqual([
      "queue-depth default/dataset",
      "queue-no-consumer default/dataset",
      "worker-gone default/w2@h",
    ]);
    expect(conditions.find((c) => c.rule === "worker-gone")!.target).toMatchObject({
      kind: "worker",
      queues: ["dataset"],
    });
  });

  it("queue-paused: fires once a paused queue has been paused past the set time; a paused queue is not 'no consumer'", () => {
    const pausedAt = 1_000_000;
    const queuesAt = (sampledAt: number): QueuesResponse => ({
      brokers: [
        {
          name: "default",
          ok: true,
          error: null,
          sampledAt,
          queues: [
            {
              name: "jobs",
              depth: 40,
              byPriority: {},
              unacked: 0,
              orphaned: 0,
              consumers: [],
              ratePerMinuteIn: null,
              ratePerMinuteOut: null,
              drainSeconds: null,
              oldestSeenSeconds: null,
              threshold: 1000,
              status: "critical",
              origins: ["binding"],
              paused: {
                broker: "default",
                queue: "jobs",
                by: "alice",
                since: pausedAt,
                reason: "INC-21",
                auditId: "a1",
                workers: ["w1@h"],
              },
            },
          ],
        },
      ],
    });
    const set = rules({ "queue-paused": { params: { pausedSeconds: 600 } } });
    const before = evaluateConditions({ queues: queuesAt(pausedAt + 599_000) }, set).conditions;
    expect(before.map((c) => c.rule)).toEqual([]);
    const after = evaluateConditions({ queues: queuesAt(pausedAt + 600_000) }, set).conditions;
    expect(after.map((c) => `${c.rule} ${c.targetLabel}`)).toEqual(["queue-paused default/jobs"]);
    expect(after[0]!.summary).toBe("jobs on default: paused by alice for 10m (40 messages waiting; reason: INC-21)");
  });
});
