import dgram from "node:dgram";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { configuredSinks } from "@/server/audit/configured-sinks";
import { MemoryHeadStore, openAuditLog } from "@/server/audit/service";
import { testConfig } from "@/server/testing/console";

// The configured second sinks receive every entry: a syslog collector on loopback UDP, and a Redis stream.
const REDIS = process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391";
const redis = new Redis(`${REDIS}/7`);
const collector = dgram.createSocket("udp4");

afterAll(async () => {
  await redis.del("lw:test:audit");
  redis.disconnect();
  collector.close();
});

describe("second audit sinks", () => {
  it("copy each entry to syslog and to a Redis stream", async () => {
    const received: string[] = [];
    collector.on("message", (m) => received.push(m.toString()));
    await new Promise<void>((r) => collector.bind(0, "127.0.0.1", r));
    await redis.del("lw:test:audit");
    const dataDir = testConfig({
      LEAKWATCH_AUDIT_SYSLOG: `udp://127.0.0.1:${collector.address().port}`,
      LEAKWATCH_AUDIT_REDIS_STREAM: `${REDIS}/7#lw:test:audit`,
    });
    const log = await openAuditLog({
      dir: path.join(dataDir, "audit"),
      key: "k".repeat(32),
      headStore: new MemoryHeadStore(),
      instance: "sinks",
      extraSinks: configuredSinks(),
    });
    const { entry, sinkFailures } = await log.append({
      kind: "event",
      event: "login",
      actor: "alice",
      action: "login",
    });
    expect(sinkFailures).toEqual([]);
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    expect(received[0]).toContain("leakwatch");
    expect(received[0]).toContain(entry.id);
    const stream = await redis.xrange("lw:test:audit", "-", "+");
    expect(stream).toHaveLength(1);
    expect(JSON.stringify(stream[0])).toContain(entry.id);
  });
});
