import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalize } from "../canonical-json";
import type { AuditEntry } from "../types";
import { redisStreamSink } from "./redis-stream";

const url = process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391";
const redis = new Redis(url, { db: 3, lazyConnect: false, maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());

describe("redis stream sink", () => {
  it("XADDs each entry with its canonical line, capped by MAXLEN", async () => {
    const key = `leakwatch:test:audit:${process.pid}:${Date.now()}`;
    const sink = redisStreamSink(redis, { key, maxLen: 1000 });
    const base: AuditEntry = {
      seq: 1,
      id: "x",
      kind: "event",
      event: "login",
      ts: new Date().toISOString(),
      instance: "i",
      actor: "ana",
      action: "login",
      prevHash: "0".repeat(64),
      hmac: "a".repeat(64),
    };
    await sink.write(base, canonicalize(base));
    await sink.write({ ...base, seq: 2 }, canonicalize({ ...base, seq: 2 }));
    const items = await redis.xrange(key, "-", "+");
    expect(items).toHaveLength(2);
    const fields = Object.fromEntries(chunk(items[1]![1]));
    expect(fields).toMatchObject({ seq: "2", kind: "event", action: "login", instance: "i" });
    expect(JSON.parse(fields.entry!)).toMatchObject({ seq: 2, actor: "ana" });
    await redis.del(key);
  });

  it("waits for a client's first connection instead of failing the entries written right at start", async () => {
    const key = `leakwatch:test:audit:${process.pid}:${Date.now()}:first`;
    // As configured-sinks makes it: no offline queue, so a command before "ready" would fail at once.
    const fresh = new Redis(url, { db: 3, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    try {
      expect(fresh.status).not.toBe("ready");
      const sink = redisStreamSink(fresh, { key });
      const entry: AuditEntry = {
        seq: 1,
        id: "first",
        kind: "event",
        event: "login",
        ts: new Date().toISOString(),
        instance: "i",
        actor: "ana",
        action: "login",
        prevHash: "0".repeat(64),
        hmac: "a".repeat(64),
      };
      await sink.write(entry, canonicalize(entry));
      expect(await redis.xlen(key)).toBe(1);
    } finally {
      await redis.del(key);
      fresh.disconnect();
    }
  });
});

function chunk(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
