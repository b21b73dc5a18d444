// The real engine goes away: dockerd is stopped (SIGTERM) while the console samples, and killed (SIGKILL) while
// a container.restart is in flight; then it is started again. dockerd runs with --live-restore (scripts/services.sh),
// so the containers keep running while it is down, as they do in a production engine configured that way.
// A dockerd this harness did not start is never touched: then the file is skipped, except in CI, where the
// harness always starts its own engine and a skip would hide a broken set-up.
import { mkdtempSync, rmSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as containersGET } from "@/app/api/containers/route";
import { GET as healthGET } from "@/app/api/health/route";
import { runAction } from "@/server/actions/run";
import { AUDIT_FILE_NAME } from "@/server/audit/audit-log";
import type { AuditEntry } from "@/server/audit/types";
import { containerEvents } from "@/server/history/containers";
import type { ContainersResponse } from "@/server/schemas/api";
import type { SourceState } from "@/server/schemas/sources";
import { docker, ensureFixtureImage, removeTestContainers, RUN_ID, startLeaker } from "@/server/testing/harness";
import { adminCookie, call, until } from "@/server/testing/console";
import { ownedDockerd, startDockerd, stopDockerd } from "@/server/testing/dockerd";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";
import { socketProxy } from "@/server/testing/socket-proxy";

const owned = await ownedDockerd();
const mayStop = "pid" in owned;
if (!mayStop) console.warn(`faults-dockerd: ${owned.reason}`);

// The console reaches the engine through a pass-through proxy: only so the test can tell the moment the
// restart request has reached dockerd. The proxy stays up throughout; it is dockerd that dies.
const sockDir = mkdtempSync(path.join(tmpdir(), "lw-dockerd-"));
const proxy = socketProxy(path.join(sockDir, "docker.sock"));
const name = `lw-dockerd-${RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12)}`;
let id = "";
let cookie = "";
let dataDir = "";

const auditEntries = async (): Promise<AuditEntry[]> =>
  (await readFile(path.join(dataDir, "audit", AUDIT_FILE_NAME), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);

const health = async () => (await call<{ sources: SourceState[] }>(healthGET, "/api/health", "")).body.sources;
const dockerSource = async () => (await health()).find((s) => s.kind === "docker")!;
const containers = async () => (await call<ContainersResponse>(containersGET, "/api/containers", cookie)).body;
const pidsCgroup = () => `/sys/fs/cgroup/pids/docker/${id}/pids.current`;

async function currentDockerdPid(): Promise<number> {
  const o = await ownedDockerd();
  if (!("pid" in o)) throw new Error(`cannot stop dockerd: ${o.reason}`);
  return o.pid;
}

describe.runIf(mayStop || process.env.CI)("dockerd itself stops and starts again", () => {
  beforeAll(async () => {
    if (!mayStop)
      throw new Error(
        `CI must run this test against the harness's own dockerd: ${(owned as { reason: string }).reason}`,
      );
    await ensureFixtureImage();
    id = await startLeaker({ name, mode: "healthy", pool: 3 });
    await proxy.up();
    dataDir = await startRuntime({
      LEAKWATCH_DOCKER_HOSTS: `local=unix://${proxy.path}`,
      LEAKWATCH_SAMPLE_INTERVAL_MS: "500",
    });
    cookie = await adminCookie();
    await until(containers, (b) => b.containers.some((c) => c.id === id));
  });

  afterAll(async () => {
    // Whatever happened above, leave an engine running for the tests that follow.
    await startDockerd();
    await stopRuntime();
    await proxy.down();
    rmSync(sockDir, { recursive: true, force: true });
    await removeTestContainers("run");
  });

  it("stopped during sampling: the console answers, shows Docker down with the last values, and recovers by itself", async () => {
    await stopDockerd(await currentDockerdPid(), "SIGTERM");

    const down = await until(dockerSource, (s) => !s.ok);
    expect(down.lastError).toBeTruthy();
    const during = await call<ContainersResponse>(containersGET, "/api/containers", cookie);
    expect(during.status).toBe(200);
    expect(during.body.hosts[0]).toMatchObject({ name: "local", ok: false });
    // The last values stay on screen, marked by the host's state, instead of an empty fleet.
    expect(during.body.containers.some((c) => c.id === id)).toBe(true);
    // --live-restore: the container itself kept running while the engine was down.
    await access(pidsCgroup());

    const restartedAt = Date.now();
    await startDockerd();
    await until(dockerSource, (s) => s.ok, 60_000);
    const back = await until(
      containers,
      (b) => b.hosts[0]!.ok && b.containers.some((c) => c.id === id && c.sampledAt > restartedAt),
      60_000,
    );
    expect(back.containers.find((c) => c.id === id)!.pids.current).toBeGreaterThan(0);

    // The events subscription came back too: a change made now is recorded on the container's timeline.
    const since = Date.now() - 1000;
    await docker("update", "--pids-limit", "4321", id);
    const events = await until(
      () => containerEvents("local", id, since),
      (ev) => ev.some((e) => e.action === "update"),
      30_000,
    );
    expect(events.some((e) => e.action === "update")).toBe(true);
  });

  it("killed while a container.restart is in flight: the audit outcome says what is known, nothing crashes, sampling resumes", async () => {
    const pid = await currentDockerdPid();
    const reached = proxy.seen(/^POST \/[^ ]*containers\/[^/ ]+\/restart/);
    const action = runAction(
      {
        action: "container.restart",
        target: { host: "local", id },
        params: { graceSeconds: 5 },
        reason: "fault test: dockerd dies during a restart",
        confirm: `local/${id}`,
      },
      { username: "fault-tester", role: "operator", ip: "127.0.0.1" },
    );
    await reached;
    await stopDockerd(pid, "SIGKILL");
    const outcome = await action;
    // The answer to the restart never came: the console must not claim more than it knows.
    expect(outcome.status).toBe("failed");
    expect(outcome.result).toMatch(/outcome unknown/);
    const mine = (await auditEntries()).filter((e) => e.id === outcome.auditId);
    expect(mine.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(mine[1]).toMatchObject({ result: "failed" });

    // The console kept serving while the engine was dead.
    expect((await call(containersGET, "/api/containers", cookie)).status).toBe(200);
    expect((await call(healthGET, "/api/health", "")).status).toBe(200);

    await startDockerd();
    const upAt = Date.now();
    const back = await until(containers, (b) => b.hosts[0]!.ok && (b.hosts[0]!.sampledAt ?? 0) > upAt, 60_000);
    // Depending on how far the engine got, the container is running again or stopped (it has no restart
    // policy); either way the console now shows what the engine says.
    const running = (await docker("inspect", "-f", "{{.State.Running}}", id)) === "true";
    expect(back.containers.some((c) => c.id === id)).toBe(running);
  });
});
