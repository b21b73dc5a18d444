import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BINARY_NAME_MARKER,
  DEFAULT_LAYOUT,
  bindingMember,
  fanoutChannels,
  fanoutPrefixOf,
  layoutOf,
  messagePriority,
  pidboxExchange,
  priorityStepsProblem,
  replyExchange,
  unackedKeys,
  nameFromBytes,
  nameToBytes,
  queueKey,
  stepForPriority,
} from "./kombu-keys";

describe("stepForPriority (kombu's Channel.priority)", () => {
  it("files a priority under the highest step not above it, clamped to 0..9", () => {
    const steps = [0, 3, 6, 9];
    expect(
      [0, 1, 2, 3, 5, 6, 8, 9, 12, -4].map((p) =>
        stepForPriority(messagePriority({ properties: { priority: p } }), steps),
      ),
    ).toEqual([0, 0, 0, 3, 3, 6, 6, 9, 9, 0]);
    // Python's steps[bisect(...) - 1] wraps to the last step when no step is <= priority.
    expect(stepForPriority(1, [2, 5])).toBe(5);
  });
});

describe("queueKey", () => {
  it("uses the bare name for step 0 and name\\x06\\x16step otherwise, after the global prefix", () => {
    expect(queueKey(DEFAULT_LAYOUT, Buffer.from("mail"), 0).toString("latin1")).toBe("mail");
    expect(queueKey({ prefix: "lw:", sep: DEFAULT_LAYOUT.sep }, Buffer.from("mail"), 6).toString("latin1")).toBe(
      "lw:mail\x06\x166",
    );
  });
});

describe("queue name escaping", () => {
  it("keeps UTF-8 names and escapes anything else reversibly", () => {
    expect(nameFromBytes(Buffer.from("データ"))).toBe("データ");
    const bin = Buffer.from([0xff, 0x00, 0x61]);
    expect(nameFromBytes(bin).startsWith(BINARY_NAME_MARKER)).toBe(true);
    expect(nameToBytes(nameFromBytes(bin)).equals(bin)).toBe(true);
  });

  it("round-trips every byte string (fuzz)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const raw = Buffer.from(bytes);
        expect(nameToBytes(nameFromBytes(raw)).equals(raw)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const raw = Buffer.from(s, "utf8");
        expect(nameToBytes(nameFromBytes(raw)).equals(raw)).toBe(true);
      }),
      { numRuns: 500 },
    );
    const tricky = Buffer.from(`${BINARY_NAME_MARKER}abc`, "utf8");
    expect(nameToBytes(nameFromBytes(tricky)).equals(tricky)).toBe(true);
  });
});

describe("fanout channels per kombu version and option (kombu/transport/redis.py)", () => {
  const layout = { ...DEFAULT_LAYOUT };
  it("Channel._get_publish_topic: '/{db}.' prefix, '/<routing key>' only with fanout_patterns", () => {
    expect(fanoutChannels(layout, 1, "celeryev", "worker.heartbeat", false)).toEqual(["/1.celeryev/worker.heartbeat"]);
    expect(fanoutChannels({ ...layout, fanoutPatterns: false }, 1, "celeryev", "worker.heartbeat", false)).toEqual([
      "/1.celeryev",
    ]);
    expect(fanoutChannels({ ...layout, prefix: "lw:" }, 2, "celery.pidbox", "", false)).toEqual([
      "lw:/2.celery.pidbox",
    ]);
  });

  it("Channel.__init__: fanout_prefix false means no prefix, a string replaces it", () => {
    expect(fanoutChannels({ ...layout, fanoutPrefix: fanoutPrefixOf(false) }, 1, "celery.pidbox", "", false)).toEqual([
      "celery.pidbox",
    ]);
    expect(fanoutChannels({ ...layout, fanoutPrefix: fanoutPrefixOf("fan:") }, 1, "celery.pidbox", "", true)).toEqual([
      "fan:celery.pidbox",
    ]);
  });

  it("SentinelChannel._get_pool in kombu <= 5.3 never formats {db}; 5.4 does: both are published to", () => {
    expect(fanoutChannels(layout, 1, "celery.pidbox", "", true)).toEqual(["/1.celery.pidbox", "/{db}.celery.pidbox"]);
  });

  it("layoutOf: kombu's and Celery's defaults where the config is silent, the config where it speaks", () => {
    const b = {
      name: "b",
      url: "redis://x/0",
      globalKeyprefix: "",
      prioritySteps: [0, 3, 6, 9],
      visibilityTimeoutSeconds: 3600,
      queues: [],
    };
    expect(layoutOf(b)).toEqual(DEFAULT_LAYOUT);
    const custom = layoutOf({
      ...b,
      sep: ":",
      unackedKey: "u",
      unackedIndexKey: "ui",
      unackedMutexKey: "um",
      unackedMutexExpireSeconds: 5,
      controlExchange: "ctl",
      eventExchange: "ev",
    });
    expect(unackedKeys({ ...custom, prefix: "p:" })).toEqual({ unacked: "p:u", index: "p:ui", mutex: "p:um" });
    expect([
      pidboxExchange(custom),
      replyExchange(custom),
      custom.eventExchange,
      custom.unackedMutexExpireSeconds,
    ]).toEqual(["ctl.pidbox", "reply.ctl.pidbox", "ev", 5]);
    expect(bindingMember(custom, "rk", "", "q")).toBe("rk::q");
  });

  it("priority_steps must be sorted and unique (Channel.priority bisects them)", () => {
    expect(priorityStepsProblem([0, 3, 6, 9])).toBeNull();
    expect(priorityStepsProblem([0, 6, 3])).toMatch(/sorted/);
    expect(priorityStepsProblem([0, 3, 3])).toMatch(/repeats/);
  });
});
