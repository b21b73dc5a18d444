// "dockerd" goes away in the middle of work: a sampling pass, and a container.restart whose request has reached
// the engine but whose answer never comes back. A unix-socket proxy in front of the real Docker socket takes
// itself down at the exact moment a matching request has been forwarded, so the console sees its endpoint
// vanish mid-request at a known point. faults-dockerd.int.test.ts stops the real engine itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "@/server/actions/run";
import { getConfig } from "@/server/config";
import { sampleHost } from "@/server/docker/sampler";
import {
  docker,
  ensureFixtureImage,
  removeTestContainers,
  RUN_ID,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { startConsole, type TestConsole } from "@/server/testing/action-console";
import { until } from "@/server/testing/console";
import { socketProxy } from "@/server/testing/socket-proxy";

const sockDir = mkdtempSync(path.join(tmpdir(), "lw-dgate-"));
const gate = socketProxy(path.join(sockDir, "docker.sock"));
const name = `lw-fault-${RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12)}`;
let lw: TestConsole;
let id = "";
const host = () => getConfig().dockerHosts.find((h) => h.name === "local")!;
const startedAt = () => docker("inspect", "-f", "{{.State.StartedAt}}", id);

beforeAll(async () => {
  await ensureFixtureImage();
  id = await startLeaker({ name, mode: "healthy", pool: 3 });
  await waitFor(async () => (await docker("inspect", "-f", "{{.State.Running}}", id)) === "true" || undefined, {
    what: "leaker running",
  });
  await gate.up();
  lw = await startConsole({ LEAKWATCH_DOCKER_HOSTS: `local=unix://${gate.path}` });
});

afterAll(async () => {
  await gate.down();
  await removeTestContainers("run");
  await lw?.close();
  rmSync(sockDir, { recursive: true, force: true });
});

describe("the Docker endpoint vanishes", () => {
  it("during a sampling pass: the pass reports the host down, then sampling resumes", async () => {
    const before = await sampleHost(host());
    expect(before.ok).toBe(true);
    expect(before.containers.some((c) => c.id === id)).toBe(true);

    // The pass starts by listing containers: the engine gets the request, the answer never comes back.
    const gone = gate.downAfter(/^GET \/[^ ]*containers\/json/);
    const pass = sampleHost(host());
    await gone;
    const down = await pass;
    expect(down.ok).toBe(false);
    expect(down.error).toMatch(/docker:local/);
    // And while it is gone, a new pass says so at once too (the socket file is missing now).
    expect((await sampleHost(host())).ok).toBe(false);

    await gate.up();
    const back = await until(
      () => sampleHost(host()),
      (s) => s.ok,
    );
    expect(back.containers.find((c) => c.id === id)?.state).toBe("running");
  });

  it("during container.restart: the audit outcome says failed (outcome unknown), nothing crashes, sampling resumes", async () => {
    const was = await startedAt();
    const gone = gate.downAfter(/^POST \/[^ ]*containers\/[^/ ]+\/restart/);
    const action = runAction(
      {
        action: "container.restart",
        target: { host: "local", id },
        params: { graceSeconds: 5 },
        reason: "fault test: restart while dockerd goes away",
        confirm: `local/${id}`,
      },
      { username: "fault-tester", role: "operator", ip: "127.0.0.1" },
    );
    await gone;
    const outcome = await action;
    expect(outcome.status).toBe("failed");
    expect(outcome.result).toMatch(/outcome unknown/);

    const mine = (await lw.auditEntries()).filter((e) => e.id === outcome.auditId);
    expect(mine.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(mine[1]).toMatchObject({ result: "failed" });
    expect(String((mine[1] as { error?: unknown }).error)).toMatch(/docker:local/);

    // The engine did get the request: the container restarted even though nobody heard the answer.
    await waitFor(async () => (await startedAt()) !== was || undefined, {
      what: "the restart to happen",
      timeoutMs: 60_000,
    });
    await gate.up();
    const back = await until(
      () => sampleHost(host()),
      (s) => s.ok && s.containers.some((c) => c.id === id && c.state === "running"),
      60_000,
    );
    expect(back.ok).toBe(true);
  });
});
