// Container actions through POST /api/actions on a real Docker Engine: the change lands in Docker and in the
// cgroup, is verified and audited (intent + outcome), time-boxed raises revert by themselves, and every
// refusal (bad input, unknown target, missing reason or confirmation, read-only mode) changes nothing.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RUN_ID,
  cleanupCgroupParents,
  docker,
  ensureFixtureImage,
  readPidsMax,
  removeTestContainers,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import {
  callJson,
  errorCode,
  errorMessageOf,
  postAction,
  previewAction,
  startConsole,
  type TestConsole,
} from "@/server/testing/action-console";
import { timeboxLabel, type AuditListRow } from "@/components/audit/audit-rows";
import { makeTimeboxDue, runDueRevertsLikeScheduler, timeboxState } from "@/server/testing/timebox-revert";
import type { AuditEntryResponse } from "@/server/schemas/audit";
import { changeLabel } from "@/lib/change-label";
import { containerChanges } from "@/server/audit/container-changes";
import { describeEntry } from "@/server/runbooks/describe";
import { recordAction } from "@/server/runbooks/service";
import { insertRun, listEntries } from "@/server/runbooks/store";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const name = `lw-act-${tag}`;
const parent = `leakwatch-act-${tag}`;
let lw: TestConsole;
let id: string;

const inspectPidsLimit = async (c: string) => {
  const v = await docker("inspect", "-f", "{{json .HostConfig.PidsLimit}}", c);
  return v === "null" ? null : Number(v);
};
const startedAt = (c: string) => docker("inspect", "-f", "{{.State.StartedAt}}", c);
/** reason null: the request carries no reason at all. */
const setLimit = (
  limit: unknown,
  extra: Record<string, unknown> = {},
  reason: string | null = "INC-7 raise for the backlog",
) => ({
  action: "container.set-pids-limit",
  target: { host: "local", id: name },
  params: { limit, ...extra },
  ...(reason === null ? {} : { reason }),
});

beforeAll(async () => {
  await ensureFixtureImage();
  lw = await startConsole({ LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock" });
  id = await startLeaker({ name, mode: "healthy", pool: 3, pidsLimit: 50 });
  await waitFor(async () => (await docker("inspect", "-f", "{{.State.Running}}", id)) === "true", {
    what: "leaker running",
  });
});

afterAll(async () => {
  await removeTestContainers("run");
  await cleanupCgroupParents();
  await lw?.close();
});

describe("container.set-pids-limit", () => {
  it("sets the limit in Docker and the cgroup, verifies it and audits intent and outcome", async () => {
    const r = await postAction(lw.users.operator, setLimit(120));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(r.body.auditId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await inspectPidsLimit(id)).toBe(120);
    expect((await readFile(`/sys/fs/cgroup/pids/docker/${id}/pids.max`, "utf8")).trim()).toBe("120");

    const mine = (await lw.auditEntries()).filter((e) => e.id === r.body.auditId);
    expect(mine.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(mine[0]).toMatchObject({
      actor: lw.users.operator.username,
      role: "operator",
      action: "container.set-pids-limit",
      target: `local/${name}`,
      reason: "INC-7 raise for the backlog",
    });
    expect(mine[1]).toMatchObject({ result: "succeeded", before: 50, after: 120 });
  });

  it("audits the container an id prefix resolved to (name and full id), so a filter by either finds it", async () => {
    // The shortest prefix of the id that no other container on this engine shares (2 characters when it can be).
    const all = (await docker("ps", "-aq", "--no-trunc")).split("\n").filter(Boolean);
    let prefix = id.slice(0, 2);
    while (all.filter((c) => c.startsWith(prefix)).length > 1) prefix = id.slice(0, prefix.length + 1);
    const r = await postAction(lw.users.operator, {
      action: "container.set-pids-limit",
      target: { host: "local", id: prefix },
      params: { limit: 110 },
      reason: "INC-8 by prefix",
    });
    expect(r.body).toMatchObject({ status: "succeeded" });
    const mine = (await lw.auditEntries()).filter((e) => e.id === r.body.auditId);
    expect(mine.map((e) => [e.kind, e.target, e.targetId])).toEqual([
      ["intent", `local/${name}`, `local/${id}`],
      ["outcome", `local/${name}`, `local/${id}`],
    ]);
    const { GET } = await import("@/app/api/audit/route");
    // Exact forms as before, and (issue 16 item 6) any part of the name or id in any case.
    for (const target of [
      `local/${name}`,
      `local/${id}`,
      `local/${id.slice(0, 12)}`,
      name.toUpperCase().slice(3),
      id.slice(20, 40).toUpperCase(),
    ]) {
      const found = await callJson<{ entries: { id: string }[] }>(GET, "/api/audit", {
        as: lw.users.viewer,
        query: `target=${encodeURIComponent(target)}`,
      });
      expect({ target, found: found.body.entries.some((e) => e.id === r.body.auditId) }).toEqual({
        target,
        found: true,
      });
    }
    // The action filter is a substring in any case too, combined with the target's; other text finds nothing.
    const search = async (query: string) =>
      (
        await callJson<{ entries: { id: string; action: string }[] }>(GET, "/api/audit", {
          as: lw.users.viewer,
          query,
        })
      ).body.entries;
    const both = await search(`action=PIDS-LIM&target=${encodeURIComponent(name)}&limit=1000`);
    expect(both.some((e) => e.id === r.body.auditId)).toBe(true);
    expect(new Set(both.map((e) => e.action))).toEqual(new Set(["container.set-pids-limit"]));
    expect(await search(`action=restart&target=${encodeURIComponent(name)}&limit=1000`)).toEqual([]);
    // Bounded: an over-long filter is refused with 400, not scanned for.
    const long = await callJson(GET, "/api/audit", { as: lw.users.viewer, query: `target=${"x".repeat(501)}` });
    expect(long.status).toBe(400);
    // The audit page's link to one entry: ?id= finds exactly it, and GET /api/audit/{id} has it whole (the preview
    // the operator confirmed, what verify saw, the chain fields of both lines); an unknown id is a 404.
    expect((await search(`id=${r.body.auditId}`)).map((e) => e.id)).toEqual([r.body.auditId]);
    const one = await import("@/app/api/audit/[id]/route");
    const whole = await callJson<AuditEntryResponse>(one.GET, `/api/audit/${r.body.auditId}`, {
      as: lw.users.viewer,
      params: { id: r.body.auditId! },
    });
    expect(whole.status).toBe(200);
    expect(whole.body.entry).toMatchObject({
      id: r.body.auditId,
      action: "container.set-pids-limit",
      outcome: "succeeded",
    });
    expect(whole.body.intent).toMatchObject({ kind: "intent", params: { limit: 110 }, reason: "INC-8 by prefix" });
    expect(whole.body.intent?.preview).toBeTruthy();
    expect(whole.body.outcome).toMatchObject({ kind: "outcome", result: "succeeded" });
    expect(whole.body.outcome?.verify).toBeTruthy();
    for (const line of [whole.body.intent, whole.body.outcome])
      expect(line).toEqual(expect.objectContaining({ seq: expect.any(Number), hmac: expect.any(String) }));
    const unknown = await callJson(one.GET, "/api/audit/no-such-entry", {
      as: lw.users.viewer,
      params: { id: "no-such-entry" },
    });
    expect(unknown.status).toBe(404);
    // Back to the limit the next test starts from.
    expect((await postAction(lw.users.operator, setLimit(120))).body).toMatchObject({ status: "succeeded" });
  });

  it("reverts a time-boxed raise by itself, audited as system:timebox", async () => {
    const beforeRaise = Date.now();
    const r = await postAction(lw.users.operator, setLimit(200, { revertAfterSeconds: 30 }));
    expect(r.body).toMatchObject({ status: "succeeded" });
    expect(r.body.result).toMatch(/reverts in 30 s/);
    expect(await inspectPidsLimit(id)).toBe(200);
    expect(await timeboxState(r.body.auditId!)).toBe("pending");

    // Not due yet: the scheduler's tick leaves it alone.
    await runDueRevertsLikeScheduler();
    expect(await inspectPidsLimit(id)).toBe(200);

    // A runbook run that recorded the raise (as its Mitigate dialog does) gets the scheduler's revert too.
    const runId = randomUUID();
    await insertRun({
      id: runId,
      kind: "thread-leak",
      target: { host: "local", id },
      targetLabel: `local/${name} (${id.slice(0, 12)})`,
      status: "open",
      alertId: null,
      createdBy: lw.users.operator.username,
      createdAt: beforeRaise,
      updatedAt: beforeRaise,
      verifyMinutes: 2,
      verifyShare: 80,
      verifyState: null,
    });
    await recordAction(runId, r.body.auditId!, lw.users.operator.username);

    const box = await makeTimeboxDue(r.body.auditId!);
    await runDueRevertsLikeScheduler();
    expect(await inspectPidsLimit(id)).toBe(120);
    expect(await readPidsMax(id)).toBe("120");
    expect(await timeboxState(r.body.auditId!)).toBe("reverted");

    const revert = (await lw.auditEntries()).filter((e) => e.actor === "system:timebox");
    expect(revert.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(revert[0]).toMatchObject({ action: "container.set-pids-limit", params: { limit: 120 } });
    expect(String(revert[0]!.reason)).toContain(box.id);
    expect(revert[1]).toMatchObject({ result: "succeeded", before: 200, after: 120 });

    // The audit page labels both from the API's rows: the raise with its box, the revert with the raise it undoes.
    const { GET } = await import("@/app/api/audit/route");
    const listed = (
      await callJson<{ entries: AuditListRow[] }>(GET, "/api/audit", {
        as: lw.users.viewer,
        query: `target=${encodeURIComponent(name)}&action=set-pids-limit&limit=10`,
      })
    ).body.entries;
    expect(timeboxLabel(listed.find((e) => e.id === r.body.auditId)!)).toEqual({
      kind: "raise",
      text: "time-boxed raise: reverts after 30s",
    });
    expect(timeboxLabel(listed.find((e) => e.actor === "system:timebox")!)).toEqual({
      kind: "revert",
      text: "time-box revert",
      raisedIn: r.body.auditId,
    });

    // The pids chart names the markers from the audit: the raise with its box, the scheduler's revert as such.
    const changes = await containerChanges("local", id, name, beforeRaise, Date.now());
    expect(changes.map((c) => changeLabel(c))).toEqual(["revert to 120 (time box)", "raise to 200 for 30s"]);
    expect(await containerChanges("local", id, name, beforeRaise - 3_600_000, beforeRaise - 1)).not.toContainEqual(
      expect.objectContaining({ auditId: r.body.auditId }),
    );

    // The run's timeline, in the words the report uses: the raise, then the revert by the scheduler.
    const timeline = (await listEntries(runId)).filter((e) => e.kind === "action");
    expect(timeline.map((e) => [e.actor, describeEntry(e).replace(/ \(docker inspect .*/, "")])).toEqual([
      [lw.users.operator.username, `raise to 200 for 30s on local/${name} (container.set-pids-limit): succeeded`],
      [
        "system:timebox",
        `time box expired: revert to 120 (time box) on local/${name} (container.set-pids-limit): succeeded`,
      ],
    ]);

    // Runs once: a second tick finds nothing due.
    await runDueRevertsLikeScheduler();
    expect((await lw.auditEntries()).filter((e) => e.actor === "system:timebox")).toHaveLength(2);
    expect((await listEntries(runId)).filter((e) => e.kind === "action")).toHaveLength(2);
  });

  it("keeps a time-boxed raise that was confirmed", async () => {
    const started = Date.now();
    const r = await postAction(lw.users.operator, setLimit(150, { revertAfterSeconds: 30 }));
    expect(r.body.status).toBe("succeeded");
    const ok = await postAction(lw.users.operator, {
      action: "container.confirm-pids-limit",
      target: { host: "local", id: name },
      params: {},
      reason: "INC-7 keep it",
    });
    expect(ok.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    await makeTimeboxDue(r.body.auditId!);
    await runDueRevertsLikeScheduler();
    expect(await inspectPidsLimit(id)).toBe(150);
    expect(await timeboxState(r.body.auditId!)).toBe("confirmed");
    // The chart's markers are kept between refreshes while the audit file is unchanged; the next change shows at once.
    const markers = async () => (await containerChanges("local", id, name, started, Date.now())).map(changeLabel);
    expect(await markers()).toEqual(["keep raised limit", "raise to 150 for 30s"]);
    expect(await markers()).toEqual(["keep raised limit", "raise to 150 for 30s"]);
    // Put it back for the tests below.
    expect((await postAction(lw.users.operator, setLimit(120))).body.status).toBe("succeeded");
    expect(await markers()).toEqual(["lower to 120", "keep raised limit", "raise to 150 for 30s"]);
  });

  it("warns in the preview when an ancestor cgroup is tighter than the new limit", async () => {
    await setCgroupPidsMax(parent, 40);
    const child = await startLeaker({
      name: `${name}-child`,
      mode: "healthy",
      pool: 2,
      pidsLimit: 30,
      cgroupParent: `/${parent}`,
    });
    await waitFor(async () => (await docker("inspect", "-f", "{{.State.Running}}", child)) === "true", {
      what: "child running",
    });
    const target = { host: "local", id: `${name}-child` };

    const above = await previewAction(lw.users.operator, {
      action: "container.set-pids-limit",
      target,
      params: { limit: 100 },
    });
    expect(above.status).toBe(200);
    const ancestorWarnings = (above.body.warnings ?? []).filter((w) => /ancestor cgroup/.test(w));
    expect(ancestorWarnings).toHaveLength(1);
    expect(ancestorWarnings[0]).toContain(parent);
    expect(ancestorWarnings[0]).toMatch(/caps this container at 40\b/);

    const below = await previewAction(lw.users.operator, {
      action: "container.set-pids-limit",
      target,
      params: { limit: 35 },
    });
    expect((below.body.warnings ?? []).filter((w) => /ancestor cgroup/.test(w))).toEqual([]);
    // A preview changes nothing.
    expect(await inspectPidsLimit(child)).toBe(30);
    await docker("rm", "-f", child);
  });
});

describe("container.restart", () => {
  it("needs the container's name typed again, then restarts it", async () => {
    const before = await startedAt(id);
    const body = {
      action: "container.restart",
      target: { host: "local", id: name },
      params: { graceSeconds: 1 },
      reason: "INC-7 threads back to baseline",
    };
    const missing = await postAction(lw.users.operator, body);
    expect({ status: missing.status, code: errorCode(missing) }).toEqual({ status: 400, code: "validation" });
    expect(errorMessageOf(missing)).toContain(`local/${name}`);
    const wrong = await postAction(lw.users.operator, { ...body, confirm: "local/some-other-container" });
    expect(wrong.status).toBe(400);
    expect(await startedAt(id)).toBe(before);

    const r = await postAction(lw.users.operator, { ...body, confirm: `local/${name}` });
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    const after = await startedAt(id);
    expect(after).not.toBe(before);
    expect(new Date(after).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(await docker("inspect", "-f", "{{.State.Running}}", id)).toBe("true");
  });
});

describe("refusals change nothing", () => {
  it("answers 404 for an unknown host or container", async () => {
    const host = await postAction(lw.users.operator, { ...setLimit(130), target: { host: "nope", id: name } });
    expect({ status: host.status, code: errorCode(host) }).toEqual({ status: 404, code: "not_found" });
    expect(errorMessageOf(host)).toContain('"nope"');
    const container = await postAction(lw.users.operator, {
      ...setLimit(130),
      target: { host: "local", id: `lw-no-such-${tag}` },
    });
    expect({ status: container.status, code: errorCode(container) }).toEqual({ status: 404, code: "not_found" });
    expect(await inspectPidsLimit(id)).toBe(120);
  });

  it("answers 400 with a clear message for a limit out of range", async () => {
    for (const bad of [-5, 0, 1e9, 12.5, "100"]) {
      const r = await postAction(lw.users.operator, setLimit(bad));
      expect({ bad, status: r.status, code: errorCode(r) }).toEqual({ bad, status: 400, code: "validation" });
      expect(errorMessageOf(r)).toMatch(/^params: limit /);
    }
    expect(errorMessageOf(await postAction(lw.users.operator, setLimit(-5)))).toMatch(/at least 1/);
    expect(errorMessageOf(await postAction(lw.users.operator, setLimit(1e9)))).toMatch(/at most 4194304/);
    expect(await inspectPidsLimit(id)).toBe(120);
  });

  it("answers 400 without a reason", async () => {
    for (const reason of [null, "", "   "]) {
      const r = await postAction(lw.users.operator, setLimit(130, {}, reason));
      expect({ reason, status: r.status }).toEqual({ reason, status: 400 });
      expect(errorMessageOf(r)).toMatch(/reason/i);
    }
    expect(await inspectPidsLimit(id)).toBe(120);
  });

  it("answers 423 in read-only mode and leaves no intent behind", async () => {
    const entries = (await lw.auditEntries()).length;
    lw.reconfigure({ LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock", LEAKWATCH_READ_ONLY: "true" });
    try {
      const r = await postAction(lw.users.admin, setLimit(130));
      expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 423, code: "read_only" });
      const restart = await postAction(lw.users.admin, {
        action: "container.restart",
        target: { host: "local", id: name },
        params: {},
        reason: "x",
        confirm: `local/${name}`,
      });
      expect(restart.status).toBe(423);
    } finally {
      lw.reconfigure({ LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock" });
    }
    expect(await inspectPidsLimit(id)).toBe(120);
    expect((await lw.auditEntries()).slice(entries).filter((e) => e.kind !== "event")).toEqual([]);
  });
});
