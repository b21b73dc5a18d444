// Integration: the container side against the real Docker Engine and the real cgroup v1 pids hierarchy.
// Leaker containers come from the shared harness (fixtures/leaker, `--network none`, labelled per run).
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, type DockerHostConfig } from "@/server/config";
import type { ContainerSummary } from "@/server/schemas/containers";
import {
  RUN_ID,
  cleanupCgroupParents,
  ensureFixtureImage,
  readPidsCurrent,
  removeTestContainers,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { DOCKER_ALLOW_LIST, matchAllowList } from "./allow-list";
import { diagnoseThreads, getCgroupDetail } from "./diagnose";
import { dockerFor } from "./endpoints";
import { subscribeEvents, type HostContainerEvent } from "./events";
import { parseTopThreads } from "./ps-parse";
import { sampleHost, type SamplerConfig } from "./sampler";
import { summarizeThreads } from "./threads";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "")
  .slice(-12)
  .toLowerCase();
const local: DockerHostConfig = { name: "int-local", url: "unix:///var/run/docker.sock" };
const base = parseConfig({});
const cfg: SamplerConfig = {
  cgroupRoot: "/sys/fs/cgroup",
  procRoot: "/proc",
  thresholds: base.thresholds,
  containerThresholds: [],
};
const parent = `/lwtest-${tag}`;

// A recording proxy in front of the real socket: every request line the client sends is checked against the allow-list.
const proxyDir = mkdtempSync(path.join(tmpdir(), "lw-docker-proxy-"));
const proxySocket = path.join(proxyDir, "docker.sock");
const recorded: { method: string; url: string }[] = [];
const proxyClients = new Set<net.Socket>();
const proxy = net.createServer((client) => {
  proxyClients.add(client);
  client.on("close", () => proxyClients.delete(client));
  const upstream = net.connect("/var/run/docker.sock");
  client.on("data", (chunk) => {
    for (const m of chunk.toString("latin1").matchAll(/^(GET|POST|PUT|DELETE|HEAD|PATCH) (\S+) HTTP\/1\.[01]\r$/gm)) {
      recorded.push({ method: m[1] as string, url: m[2] as string });
    }
    upstream.write(chunk);
  });
  upstream.pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
});
const viaProxy: DockerHostConfig = { name: "int-proxy", url: `unix://${proxySocket}` };

const ids: Record<"limit" | "parent" | "rate" | "flat", string> = { limit: "", parent: "", rate: "", flat: "" };
const RATE_PER_SECOND = 2;
const RATE_LIMIT = 1000;
let lastPass: ContainerSummary[] = [];
const find = (id: string) => lastPass.find((c) => c.id === id);

beforeAll(async () => {
  await new Promise<void>((resolve) => proxy.listen(proxySocket, resolve));
  await ensureFixtureImage();
  await setCgroupPidsMax(parent, 30);
  [ids.limit, ids.parent, ids.rate, ids.flat] = await Promise.all([
    startLeaker({ name: `lw-dk-limit-${tag}`, rate: 20, pidsLimit: 40 }),
    startLeaker({ name: `lw-dk-parent-${tag}`, rate: 20, cgroupParent: parent }),
    startLeaker({ name: `lw-dk-rate-${tag}`, rate: RATE_PER_SECOND, pidsLimit: RATE_LIMIT }),
    startLeaker({ name: `lw-dk-flat-${tag}`, mode: "healthy", pool: 8 }),
  ]);
  await waitFor(async () => (await readPidsCurrent(ids.limit)) >= 40, {
    what: "the limited leaker to hit 40",
    timeoutMs: 30_000,
  });
  // Sample like the scheduler does, every 5 s for a little over a minute: enough for the forecast's minimum window.
  const startedAt = Date.now();
  while (Date.now() - startedAt < 72_000) {
    const pass = await sampleHost(local, cfg);
    expect(pass.ok).toBe(true);
    lastPass = pass.containers;
    await sleep(5_000);
  }
  lastPass = (await sampleHost(local, cfg)).containers;
}, 180_000);

afterAll(async () => {
  proxy.close();
  rmSync(proxyDir, { recursive: true, force: true });
  await removeTestContainers("run");
  // Docker removes the container cgroups; the parent we made must go too (after its children are gone).
  await waitFor(async () => (await cleanupCgroupParents()).length === 0, {
    what: "parent cgroup removal",
    timeoutMs: 20_000,
  });
});

describe("sampling from cgroupfs", () => {
  it("reads the container's own --pids-limit and sees forks being refused now", async () => {
    const c = find(ids.limit)!;
    expect(c.via).toBe("cgroupfs");
    expect(c.pids.current).toBe(await readPidsCurrent(ids.limit));
    expect(c.pids).toMatchObject({ current: 40, limit: 40, effectiveLimit: 40, limitSource: "container" });
    expect(c.pids.refusedTotal).toBeGreaterThan(0);
    expect(c.refusingNow).toBe(true);
    expect(c.status).toBe("critical");
    expect(c.reasons[0]).toMatch(/refused now/);
  });

  it("finds a cap Docker does not report: a parent cgroup's pids.max", async () => {
    const c = find(ids.parent)!;
    expect(c.pids).toMatchObject({ limit: null, effectiveLimit: 30, limitSource: "ancestor", limitPath: parent });
    const d = await getCgroupDetail(local, ids.parent, cfg);
    expect(d?.detail.hiddenCap).toBe(true);
    expect(d?.detail.explanation).toContain(
      `Docker reports no pids limit for this container. But a parent cgroup ${parent} caps it at 30`,
    );
    expect(d?.detail.levels.map((l) => l.path)).toEqual([`${parent}/${ids.parent}`, parent]);
  });

  it("forecasts a steady leak: ETA within 20% of the true time to the limit", () => {
    const c = find(ids.rate)!;
    const current = c.pids.current!;
    const trueEtaSeconds = (RATE_LIMIT - current) / RATE_PER_SECOND;
    expect(c.growthPerMinute! / 60).toBeGreaterThan(RATE_PER_SECOND * 0.8);
    expect(c.growthPerMinute! / 60).toBeLessThan(RATE_PER_SECOND * 1.2);
    expect(Math.abs(c.etaSeconds! - trueEtaSeconds) / trueEtaSeconds).toBeLessThan(0.2);
    expect(c.spark.length).toBeGreaterThanOrEqual(13);
  });

  it("keeps a flat container ok with no ETA", () => {
    const c = find(ids.flat)!;
    expect(c.status).toBe("ok");
    expect(c.etaSeconds).toBeNull();
    expect(c.pids.current).toBe(9);
  });

  it("the one-shot stats path reports the same pids", async () => {
    const s = await dockerFor(viaProxy).containerStats(ids.limit);
    expect(s).toMatchObject({ current: await readPidsCurrent(ids.limit), limit: 40 });
    const sent = recorded.find((r) => r.url.includes("/stats"));
    expect(sent?.url).toMatch(/stream=false/);
    expect(sent?.url).toMatch(/one-shot=true/);
  });
});

describe("thread diagnosis", () => {
  it("groups the leaked threads by wchan from /proc, and counts the log signature after the limit", async () => {
    const d = await diagnoseThreads(local, ids.limit, cfg);
    expect(d.source).toBe("procfs");
    expect(d.totalThreads).toBe(40);
    const futex = d.groups.filter((g) => /futex/.test(g.wchan)).reduce((n, g) => n + g.count, 0);
    const paused = d.groups.filter((g) => /pause/.test(g.wchan)).reduce((n, g) => n + g.count, 0);
    expect(futex + paused).toBe(39); // every leaked thread; the main thread waits elsewhere
    expect(paused).toBeGreaterThanOrEqual(3); // every tenth thread sleeps in pause()
    expect(d.names[0]).toEqual({ comm: "leak-worker", count: 39 });
    expect(d.processes).toHaveLength(1);
    expect(d.processes[0]?.threads).toBe(40);
    const sig = d.logSignatures.find((s) => s.signature === "can't start new thread");
    expect(sig?.count).toBeGreaterThan(0);
    expect(sig?.lastSeen).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("docker top gives the same grouping as /proc", async () => {
    const top = parseTopThreads(await dockerFor(viaProxy).containerTop(ids.limit));
    const s = summarizeThreads(top.threads, top.commands);
    expect(top.errors).toEqual([]);
    expect(s.totalThreads).toBe(40);
    expect(s.groups.filter((g) => /futex|pause/.test(g.wchan)).reduce((n, g) => n + g.count, 0)).toBe(39);
  });
});

describe("the Docker endpoint allow-list on the wire", () => {
  it("the events subscription reconnects after the socket drops and resumes without repeats", async () => {
    const seen: HostContainerEvent[] = [];
    const states: boolean[] = [];
    const stop = subscribeEvents(
      viaProxy,
      (e) => seen.push(e),
      (s) => states.push(s.connected),
    );
    try {
      await waitFor(() => states.includes(true), { what: "first connect" });
      await dockerFor(viaProxy).killContainer(ids.rate, "SIGUSR1");
      await waitFor(() => seen.length === 1, { what: "first kill event" });
      for (const sock of proxyClients) sock.destroy(); // the engine "restarts"
      await waitFor(() => states.filter((c) => c).length >= 2, { what: "reconnect", timeoutMs: 15_000 });
      expect(states).toContain(false);
      await dockerFor(viaProxy).killContainer(ids.rate, "SIGUSR2");
      await waitFor(() => seen.length >= 2, { what: "event after reconnect" });
      await sleep(500);
      expect(seen.map((e) => [e.action, e.attributes.signal])).toEqual([
        ["kill", "10"],
        ["kill", "12"],
      ]);
    } finally {
      stop();
    }
  });

  it("every call the client makes, incl. events and actions, is on the allow-list", async () => {
    const client = dockerFor(viaProxy);
    const seen: HostContainerEvent[] = [];
    const stop = subscribeEvents(viaProxy, (e) => seen.push(e));
    try {
      await client.ping();
      await client.version();
      expect((await client.info()).cgroupVersion).toBe("1");
      expect((await client.listContainers()).some((c) => c.id === ids.flat)).toBe(true);
      await client.inspectContainer(ids.flat);
      await client.containerLogs(ids.flat, 50);
      await sleep(500); // let the events stream attach before the actions
      await client.killContainer(ids.flat, "SIGHUP");
      await client.updateContainer(ids.flat, { PidsLimit: 64 });
      await client.restartContainer(ids.flat, 1);
      expect(await client.stopContainer(ids.flat, 1)).toBe(true);
      expect(await client.stopContainer(ids.flat, 1)).toBe(false); // already stopped: 304, not an error
      expect(await client.startContainer(ids.flat)).toBe(true);
      await waitFor(() => seen.some((e) => e.action === "start" && seen.some((x) => x.action === "stop")), {
        what: "events",
        timeoutMs: 15_000,
      });
      expect(new Set(seen.map((e) => e.action))).toEqual(
        new Set(["kill", "update", "die", "stop", "start", "restart"]),
      );
      expect(seen.every((e) => e.containerId === ids.flat)).toBe(true);
      await expect(client.inspectContainer(`lw-missing-${tag}`)).rejects.toMatchObject({ code: "not_found" });
    } finally {
      stop();
    }
    const refused = recorded.filter((r) => matchAllowList(r.method, r.url) === null);
    expect(refused).toEqual([]);
    const ops = new Set(recorded.map((r) => matchAllowList(r.method, r.url)?.op));
    expect([...ops].sort()).toEqual(DOCKER_ALLOW_LIST.map((c) => c.op).sort());
  });
});
