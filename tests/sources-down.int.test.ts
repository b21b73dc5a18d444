import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as containersGET } from "@/app/api/containers/route";
import { GET as healthGET } from "@/app/api/health/route";
import { GET as queuesGET } from "@/app/api/queues/route";
import type { ContainersResponse, QueuesResponse } from "@/server/schemas/api";
import type { SourceState } from "@/server/schemas/sources";
import { ensureFixtureImage, removeTestContainers, startLeaker } from "@/server/testing/harness";
import { adminCookie, call, until } from "@/server/testing/console";
import { freePort } from "@/server/testing/ports";
import { testRedisServer } from "@/server/testing/redis-server";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";
import { socketProxy } from "@/server/testing/socket-proxy";

// The console keeps answering when Docker or the broker goes away, says what is down, and recovers by itself.

const redis = testRedisServer(await freePort());
const proxy = socketProxy(path.join(mkdtempSync(path.join(tmpdir(), "lw-sock-")), "docker.sock"));
let cookie = "";

const health = async () => (await call<{ sources: SourceState[] }>(healthGET, "/api/health", "")).body.sources;
const source = async (kind: string) => (await health()).find((s) => s.kind === kind)!;

beforeAll(async () => {
  await ensureFixtureImage();
  await startLeaker({ name: "lw-int-down", mode: "healthy", pool: 3 });
  await redis.start();
  await proxy.up();
  await startRuntime({
    LEAKWATCH_DOCKER_HOSTS: `local=unix://${proxy.path}`,
    LEAKWATCH_BROKERS: `default=${redis.url(1)}`,
    LEAKWATCH_SAMPLE_INTERVAL_MS: "500",
  });
  cookie = await adminCookie();
  await until(health, (s) => s.every((x) => x.ok));
});

afterAll(async () => {
  await stopRuntime();
  await redis.stop();
  await proxy.down();
  await removeTestContainers("run");
});

describe("when a source goes away", () => {
  it("the broker's Redis stops: everything answers, Redis shows down with its error, then recovers", async () => {
    // This runtime's own first good pass (a source marked up can come a moment before its snapshot).
    const before = await until(
      () => call<QueuesResponse>(queuesGET, "/api/queues", cookie),
      (r) => r.body.brokers[0]?.ok === true,
    );
    expect(before.body.brokers[0]!.queues).toHaveLength(16);

    await redis.stop();
    const down = await until(
      () => source("redis"),
      (s) => !s.ok,
    );
    expect(down.lastError).toBeTruthy();
    const q = await call<QueuesResponse>(queuesGET, "/api/queues", cookie);
    expect(q.status).toBe(200);
    expect(q.body.brokers[0]!.ok).toBe(false);
    expect(q.body.brokers[0]!.queues).toHaveLength(16); // last good values, with their sample time
    expect((await call(containersGET, "/api/containers", cookie)).status).toBe(200);
    expect((await source("database")).ok).toBe(true);

    await redis.start();
    await until(
      () => source("redis"),
      (s) => s.ok,
    );
    await until(
      async () => (await call<QueuesResponse>(queuesGET, "/api/queues", cookie)).body.brokers[0]!.ok,
      (ok) => ok,
    );
  });

  it("the Docker endpoint vanishes: the container list keeps its last values, marked down, then recovers", async () => {
    const live = await until(
      async () => (await call<ContainersResponse>(containersGET, "/api/containers", cookie)).body,
      (b) => b.containers.some((c) => c.name === "lw-int-down"),
    );
    expect(live.hosts[0]!.ok).toBe(true);

    await proxy.down();
    const down = await until(
      () => source("docker"),
      (s) => !s.ok,
    );
    expect(down.lastError).toMatch(/docker|ENOENT|ECONNREFUSED|unavailable/i);
    const c = await call<ContainersResponse>(containersGET, "/api/containers", cookie);
    expect(c.status).toBe(200);
    expect(c.body.hosts[0]).toMatchObject({ name: "local", ok: false });
    expect(c.body.containers.some((x) => x.name === "lw-int-down")).toBe(true);
    expect((await call(queuesGET, "/api/queues", cookie)).status).toBe(200);

    await proxy.up();
    await until(
      () => source("docker"),
      (s) => s.ok,
    );
    const back = await call<ContainersResponse>(containersGET, "/api/containers", cookie);
    expect(back.body.hosts[0]!.ok).toBe(true);
  });
});
