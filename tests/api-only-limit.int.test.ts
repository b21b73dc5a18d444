// A console that reads a host over the Docker API only (no cgroup tree mounted, as for tcp:// and ssh:// endpoints)
// must not call a leaker stuck at a parent cgroup's cap "ok, no limit": the limit is "not-visible", and the fork
// failures in its log make it "refusing forks, limit unknown", critical, on the page data and in /metrics.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/server/config";
import { sampleHost } from "@/server/docker/sampler";
import { publish } from "@/server/live";
import { metricsText } from "@/server/metrics";
import type { ContainerSummary } from "@/server/schemas/containers";
import {
  RUN_ID,
  cleanupCgroupParents,
  containerLogs,
  ensureFixtureImage,
  readPidsCurrent,
  removeTestContainers,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { startConsole, type TestConsole } from "@/server/testing/action-console";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const parent = `leakwatch-api-${tag}`;
const emptyCgroupRoot = mkdtempSync(path.join(tmpdir(), "lw-no-cgroup-"));
let lw: TestConsole;
let stuck: string;
let own: string;
let calm: string;

const host = () => getConfig().dockerHosts.find((h) => h.name === "local")!;
async function pass(): Promise<Map<string, ContainerSummary>> {
  const s = await sampleHost(host());
  expect(s).toMatchObject({ ok: true, via: "docker-api" });
  publish("containers", { containers: s.containers, hosts: [] });
  return new Map(s.containers.map((c) => [c.id, c]));
}

beforeAll(async () => {
  await ensureFixtureImage();
  // An empty directory where the cgroup tree would be: the console can only ask the API.
  lw = await startConsole({
    LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock",
    LEAKWATCH_CGROUP_ROOT: emptyCgroupRoot,
  });
  await setCgroupPidsMax(parent, 60);
  stuck = await startLeaker({ name: `lw-api-stuck-${tag}`, mode: "leak", rate: 40, cgroupParent: `/${parent}` });
  own = await startLeaker({ name: `lw-api-own-${tag}`, mode: "healthy", pool: 2, pidsLimit: 40 });
  calm = await startLeaker({ name: `lw-api-calm-${tag}`, mode: "healthy", pool: 2 });
  await waitFor(async () => (await containerLogs(stuck)).includes("can't start new thread"), {
    what: "the leaker stuck at the parent's cap",
    timeoutMs: 60_000,
  });
});

afterAll(async () => {
  await removeTestContainers("run");
  await cleanupCgroupParents();
  await lw?.close();
  rmSync(emptyCgroupRoot, { recursive: true, force: true });
});

describe("over the Docker API only", () => {
  it("shows a leaker stuck at a parent's cap of 60 as refusing forks, limit unknown: critical, never 'none'", async () => {
    const first = (await pass()).get(stuck)!;
    expect(first.via).toBe("docker-api");
    expect(first.pids).toMatchObject({ limitSource: "not-visible", effectiveLimit: null, limit: null });
    expect(first.pids.current).toBe(await readPidsCurrent(stuck));
    expect(first.pids.refusedTotal).toBeGreaterThan(0);
    // The leaker retries every second: the next pass sees new failures in the log.
    const next = await waitFor(
      async () => {
        const c = (await pass()).get(stuck)!;
        return c.refusingNow ? c : undefined;
      },
      { what: "new fork failures in the log", intervalMs: 1200 },
    );
    expect(next.status).toBe("critical");
    expect(next.reasons[0]).toMatch(/^Refusing forks, limit unknown: the container's log shows new fork failures/);
    expect(next.reasons.join("\n")).toMatch(
      /Limit not visible from here \(Docker API only\): run the console or a collector on that host/,
    );
  });

  it("keeps Docker's own limit as the container's, and says 'not visible' (ok) for one that is fine", async () => {
    const all = await pass();
    expect(all.get(own)!.pids).toMatchObject({ limitSource: "container", effectiveLimit: 40, limit: 40 });
    const c = all.get(calm)!;
    expect(c.pids).toMatchObject({ limitSource: "not-visible", effectiveLimit: null, refusedTotal: 0 });
    expect(c.status).toBe("ok");
    expect(c.reasons.join("\n")).toContain("Limit not visible from here");
  });

  it('says so in /metrics: limit_source="not-visible", unknown (NaN) rather than 0, and visible=0', async () => {
    await pass();
    const { body } = await metricsText();
    const line = (metric: string, id: string) =>
      body.split("\n").find((l) => l.startsWith(metric) && l.includes(`id="${id}"`));
    expect(line("leakwatch_container_threads_effective_max", stuck)).toMatch(/limit_source="not-visible"\} NaN$/i);
    expect(line("leakwatch_container_limit_visible", stuck)).toMatch(/ 0$/);
    expect(line("leakwatch_container_limit_visible", own)).toMatch(/ 0$/);
    expect(line("leakwatch_container_threads_effective_max", own)).toMatch(/limit_source="container"\} 40$/);
    expect(Number(line("leakwatch_container_pids_refused_total", stuck)!.split(" ").pop())).toBeGreaterThan(0);
  });
});
