// The console's image run the way users run it (docker-compose.example.yml): host /proc and /sys/fs/cgroup mounted
// read-only, the host pid namespace, Docker reached only through the haproxy allow-list proxy, a data volume, the
// broker on loopback. The container uses --network host (this container only) so everything stays on 127.0.0.1.
// It must show what the console on the host shows (same numbers), act through the proxy, and stop cleanly.
// Needs the image: scripts/build-image.sh (npm test builds it first).
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as containersGET } from "@/app/api/containers/route";
import { GET as threadsGET } from "@/app/api/containers/[host]/[id]/threads/route";
import { GET as queuesGET } from "@/app/api/queues/route";
import type { ContainersResponse, QueuesResponse } from "@/server/schemas/api";
import {
  REPO_ROOT,
  RUN_ID,
  TEST_LABEL,
  RUN_LABEL,
  cleanupCgroupParents,
  docker,
  ensureFixtureImage,
  removeTestContainers,
  run,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { adminCookie, call } from "@/server/testing/console";
import { testRedisServer } from "@/server/testing/redis-server";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";

const IMAGE = process.env.LEAKWATCH_IMAGE ?? "leakwatch/console:test";
const PORT = Number(process.env.LEAKWATCH_IMAGE_E2E_PORT ?? 3305);
const PROXY_PORT = Number(process.env.LEAKWATCH_TEST_SOCKET_PROXY_PORT ?? 23755);
const REDIS_PORT = Number(process.env.LEAKWATCH_TEST_IMAGE_REDIS_PORT ?? 6405);
const CONSOLE = `http://127.0.0.1:${PORT}`;
const ADMIN_PASSWORD = "image-test-admin-pw";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const leakerName = `lw-img-leak-${tag}`;
const consoleName = `lw-img-console-${tag}`;
const volume = `lw-img-data-${tag}`;
const parent = `leakwatch-img-${tag}`;
const redis = testRedisServer(REDIS_PORT);
let haproxy: ChildProcess | null = null;
let hostCookie = "";
let session = { cookie: "", csrf: "" };

async function login(): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${CONSOLE}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: CONSOLE },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  expect(r.status).toBe(200);
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { cookie, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}

async function api<T>(urlPath: string, init: { body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { cookie: session.cookie, origin: CONSOLE };
  if (init.body !== undefined)
    Object.assign(headers, { "content-type": "application/json", "x-csrf-token": session.csrf });
  const r =
    init.body === undefined
      ? await fetch(`${CONSOLE}${urlPath}`, { headers })
      : await fetch(`${CONSOLE}${urlPath}`, { method: "POST", headers, body: JSON.stringify(init.body) });
  return { status: r.status, body: (await r.json()) as T };
}

const inspect = (what: string, c = consoleName) => docker("inspect", "-f", what, c);

async function startConsoleContainer(): Promise<void> {
  await docker(
    "run",
    "-d",
    "--name",
    consoleName,
    "--label",
    `${TEST_LABEL}=1`,
    "--label",
    `${RUN_LABEL}=${RUN_ID}`,
    "--network",
    "host",
    "--pid",
    "host",
    "-v",
    "/proc:/host/proc:ro",
    "-v",
    "/sys/fs/cgroup:/host/sys/fs/cgroup:ro",
    "-v",
    `${volume}:/data`,
    "-e",
    `PORT=${PORT}`,
    "-e",
    "HOSTNAME=127.0.0.1",
    "-e",
    `LEAKWATCH_DOCKER_HOSTS=local=tcp://127.0.0.1:${PROXY_PORT}`,
    "-e",
    "LEAKWATCH_LOCAL_DOCKER_HOSTS=local",
    "-e",
    `LEAKWATCH_BROKERS=dify=redis://127.0.0.1:${REDIS_PORT}/1`,
    "-e",
    `LEAKWATCH_ADMIN_PASSWORD=${ADMIN_PASSWORD}`,
    "-e",
    "LEAKWATCH_SAMPLE_INTERVAL_MS=1000",
    // The image's own healthcheck command, checked every 2 s instead of 30 so the test need not wait.
    "--health-interval",
    "2s",
    "--health-start-period",
    "60s",
    IMAGE,
  );
  await waitFor(async () => (await inspect("{{.State.Health.Status}}")) === "healthy", {
    timeoutMs: 90_000,
    what: "the console container healthy",
  });
}

async function hostContainers() {
  return (await call<ContainersResponse>(containersGET, "/api/containers", hostCookie)).body.containers;
}

beforeAll(async () => {
  await docker("image", "inspect", IMAGE).catch(() => {
    throw new Error(`no image ${IMAGE}: run scripts/build-image.sh`);
  });
  await ensureFixtureImage();
  await redis.start();
  // Real Celery messages on the loopback broker (priorities mixed: four kombu lists for one queue).
  await run(
    "/usr/bin/python3",
    ["produce.py", "--queue", "dataset", "--count", "25", "--priority", "mix", "--task", "tasks.record"],
    {
      cwd: path.join(REPO_ROOT, "fixtures/celery"),
      env: { ...process.env, BROKER_URL: redis.url(1) },
    },
  );
  haproxy = spawn("haproxy", ["-db", "-f", path.join(REPO_ROOT, "deploy/docker-socket-proxy/haproxy.cfg")], {
    env: { ...process.env, DOCKER_PROXY_BIND: `127.0.0.1:${PROXY_PORT}`, DOCKER_SOCKET: "/var/run/docker.sock" },
    stdio: "ignore",
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${PROXY_PORT}/_ping`)).ok, {
    what: "haproxy in front of the Docker socket",
  });

  // Its own limit is 100; the parent cgroup caps it at 40, which the leak reaches within seconds.
  await setCgroupPidsMax(`/${parent}`, 40);
  await startLeaker({ name: leakerName, mode: "leak", rate: 20, pidsLimit: 100, cgroupParent: `/${parent}` });
  await startRuntime({
    LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock",
    LEAKWATCH_BROKERS: `dify=${redis.url(1)}`,
    LEAKWATCH_SAMPLE_INTERVAL_MS: "500",
  });
  hostCookie = await adminCookie();

  await docker("volume", "create", "--label", `${TEST_LABEL}=1`, volume);
  await startConsoleContainer();
  session = await login();
}, 240_000);

afterAll(async () => {
  await stopRuntime();
  await removeTestContainers("run");
  await docker("volume", "rm", "-f", volume).catch(() => undefined);
  if (haproxy && haproxy.exitCode === null) {
    const p = haproxy;
    await new Promise<void>((r) => {
      p.once("exit", () => r());
      p.kill("SIGTERM");
    });
  }
  await redis.stop();
  await cleanupCgroupParents();
});

describe("the console's image, run as users run it", () => {
  it("runs as uid 1000 with the host's /proc and cgroup tree read-only", async () => {
    expect(await inspect("{{.Config.User}}")).toBe("1000:1000");
    const status = await readFile(`/proc/${await inspect("{{.State.Pid}}")}/status`, "utf8");
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    const mounts = JSON.parse(await inspect("{{json .Mounts}}")) as { Destination: string; RW: boolean }[];
    expect(
      mounts
        .filter((m) => m.Destination.startsWith("/host/"))
        .map((m) => [m.Destination, m.RW])
        .sort(),
    ).toEqual([
      ["/host/proc", false],
      ["/host/sys/fs/cgroup", false],
    ]);
  });

  it("shows the leaking container's effective limit and its source exactly as the console on the host does", async () => {
    const pair = await waitFor(
      async () => {
        const host = (await hostContainers()).find((c) => c.name === leakerName);
        const inImage = (await api<ContainersResponse>("/api/containers")).body.containers.find(
          (c) => c.name === leakerName,
        );
        // Both at the cap (the leak is stopped there by the kernel): the same sample on both sides.
        return host && inImage && host.pids.current === 40 && inImage.pids.current === 40
          ? { host, inImage }
          : undefined;
      },
      { timeoutMs: 60_000, what: "both consoles to see the leaker at its cap" },
    );
    expect(pair.host.pids).toMatchObject({ limit: 100, effectiveLimit: 40, limitSource: "ancestor" });
    const { peak: _hp, ...hostPids } = pair.host.pids;
    const { peak: _ip, ...imagePids } = pair.inImage.pids;
    expect(imagePids.refusedTotal).toBeGreaterThan(0);
    expect({ ...imagePids, refusedTotal: null }).toEqual({ ...hostPids, refusedTotal: null });
    expect(pair.inImage.id).toBe(pair.host.id);
  });

  it("diagnoses the same threads from the host's /proc", async () => {
    const id = (await hostContainers()).find((c) => c.name === leakerName)!.id;
    type Threads = {
      processes: { pid: number; command: string; threads: number }[];
      names: unknown;
      groups: { state: string; wchan: string; syscall: string | null; count: number }[];
    };
    const host = (
      await call<Threads>(threadsGET, `/api/containers/local/${id}/threads`, hostCookie, { host: "local", id })
    ).body;
    const inImage = (await api<Threads>(`/api/containers/local/${id}/threads`)).body;
    expect(inImage.processes).toEqual(host.processes);
    expect(inImage.processes[0]!.threads).toBe(40);
    expect(inImage.names).toEqual(host.names);
    const byState = (t: Threads) =>
      t.groups.reduce<Record<string, number>>((m, g) => ({ ...m, [g.state]: (m[g.state] ?? 0) + g.count }), {});
    expect(byState(inImage)).toEqual(byState(host));
    // As uid 1000 the kernel hides other users' wait channels and syscalls (ptrace access checks): the image shows
    // the state without them, the host console (root) with them. README, Deploying, says so.
    expect(host.groups.some((g) => g.wchan !== "-" && g.syscall !== null)).toBe(true);
    expect(inImage.groups.every((g) => g.wchan === "-" && g.syscall === null)).toBe(true);
  });

  it("reads the broker's queue depths like the host console (and kombu)", async () => {
    const depth = async (get: () => Promise<QueuesResponse>) =>
      (await get()).brokers.find((b) => b.name === "dify")?.queues.find((q) => q.name === "dataset")?.depth;
    const inImage = await waitFor(() => depth(async () => (await api<QueuesResponse>("/api/queues")).body), {
      what: "queue depth in the image",
    });
    const host = await waitFor(
      () => depth(async () => (await call<QueuesResponse>(queuesGET, "/api/queues", hostCookie)).body),
      { what: "queue depth on the host" },
    );
    expect(inImage).toBe(25);
    expect(host).toBe(25);
  });

  it("refuses what the allow-list leaves out: exec create through the proxy gets 403 and never reaches Docker", async () => {
    const r = await fetch(`http://127.0.0.1:${PROXY_PORT}/v1.41/containers/${leakerName}/exec`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Cmd: ["/leaker", "--help"] }),
    });
    expect(r.status).toBe(403);
    expect(await inspect("{{json .ExecIDs}}", leakerName)).toBe("null");
    expect((await fetch(`http://127.0.0.1:${PROXY_PORT}/v1.41/images/json`)).status).toBe(403);
  });

  it("raises the pids limit through the proxy, time-boxed; a SIGTERM stops it cleanly and the revert still happens", async () => {
    const r = await api<{ status: string; auditId: string }>("/api/actions", {
      body: {
        action: "container.set-pids-limit",
        target: { host: "local", id: leakerName },
        params: { limit: 150, revertAfterSeconds: 30 },
        reason: "image test: time-boxed raise",
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("succeeded");
    expect(await inspect("{{.HostConfig.PidsLimit}}", leakerName)).toBe("150");

    // docker stop sends SIGTERM: Next's server closes and exits with 143 (128 + SIGTERM, its own choice) by itself;
    // 137 would mean docker had to SIGKILL it after the 20 s grace.
    await docker("stop", "-t", "20", consoleName);
    expect(await inspect("{{.State.ExitCode}}")).toBe("143");
    expect(await inspect("{{.State.OOMKilled}}")).toBe("false");

    // Started again on the same volume: the audit chain verifies and the pending revert runs when due.
    await docker("start", consoleName);
    await waitFor(async () => (await inspect("{{.State.Health.Status}}")) === "healthy", {
      timeoutMs: 90_000,
      what: "healthy after restart",
    });
    session = await login();
    await waitFor(async () => (await inspect("{{.HostConfig.PidsLimit}}", leakerName)) === "100", {
      timeoutMs: 90_000,
      what: "the time-boxed raise reverted",
    });
    // One row per action (intent joined with its outcome): the raise and its revert, both with an outcome. The
    // revert's outcome is written after it reads the limit back, a moment after docker shows 100: wait for it.
    type Row = { actor: string; action: string; kind: string; outcome: string; params: { limit?: number } };
    const pidsRows = async () =>
      (await api<{ entries: Row[] }>("/api/audit")).body.entries.filter(
        (e) => e.kind === "action" && e.action === "container.set-pids-limit",
      );
    await waitFor(async () => (await pidsRows()).every((e) => e.outcome !== "unknown"), {
      timeoutMs: 30_000,
      what: "the revert's audit outcome",
    });
    const verify = await api<{ ok: boolean; entries: number }>("/api/audit/verify");
    expect(verify.body).toMatchObject({ ok: true });
    const rows = await pidsRows();
    expect(rows.map((e) => [e.actor, e.outcome, e.params.limit]).sort()).toEqual([
      ["admin", "succeeded", 150],
      ["system:timebox", "succeeded", 100],
    ]);
  });
});
