// The audit log as the action path uses it: an action whose intent can't be written doesn't run (fail closed),
// GET /api/audit/verify finds tampering at the right entry, and intents without an outcome are listed.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rmdir, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "@/server/audit/service";
import {
  RUN_ID,
  docker,
  ensureFixtureImage,
  removeTestContainers,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { callJson, errorCode, postAction, startConsole, type TestConsole } from "@/server/testing/action-console";
import type { AuditVerifyResponse } from "@/server/schemas/audit";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const name = `lw-audit-${tag}`;
let lw: TestConsole;
let id: string;

const inspectPidsLimit = async () => Number(await docker("inspect", "-f", "{{json .HostConfig.PidsLimit}}", id));
const raise = (limit: number) => ({
  action: "container.set-pids-limit",
  target: { host: "local", id: name },
  params: { limit },
  reason: `CHG-${limit}`,
});

type Verify = AuditVerifyResponse;
async function verifyViaApi(): Promise<Verify> {
  const { GET } = await import("@/app/api/audit/verify/route");
  const r = await callJson<Verify>(GET, "/api/audit/verify", { as: lw.users.viewer });
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  await ensureFixtureImage();
  lw = await startConsole({ LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock" });
  id = await startLeaker({ name, mode: "healthy", pool: 2, pidsLimit: 60 });
  await waitFor(async () => (await docker("inspect", "-f", "{{.State.Running}}", id)) === "true", {
    what: "leaker running",
  });
});

afterAll(async () => {
  await removeTestContainers("run");
  await lw?.close();
});

describe("fail closed", () => {
  it("refuses an action with 503 when the audit file can't be written, and the container is unchanged", async () => {
    expect((await postAction(lw.users.operator, raise(70))).body.status).toBe("succeeded");
    expect(await inspectPidsLimit()).toBe(70);
    const before = await readFile(lw.auditFile, "utf8");

    // The file swapped for a directory: every append must fail to open it.
    await rename(lw.auditFile, `${lw.auditFile}.aside`);
    await mkdir(lw.auditFile);
    try {
      const r = await postAction(lw.users.operator, raise(90));
      expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 503, code: "audit_unavailable" });
      expect(await inspectPidsLimit()).toBe(70);
    } finally {
      await rmdir(lw.auditFile);
      await rename(`${lw.auditFile}.aside`, lw.auditFile);
    }
    expect(await readFile(lw.auditFile, "utf8")).toBe(before);

    // Once the file is back the log goes on where it stopped, and the chain is intact.
    expect((await postAction(lw.users.operator, raise(80))).body.status).toBe("succeeded");
    expect(await inspectPidsLimit()).toBe(80);
    expect(await verifyViaApi()).toMatchObject({ ok: true });
  });
});

describe("GET /api/audit/verify", () => {
  let pristine: string;
  let lines: string[];

  beforeAll(async () => {
    // A few more entries of each kind: a denied request (event) and actions (intent + outcome).
    const { GET } = await import("@/app/api/users/route");
    expect((await callJson(GET, "/api/users", { as: lw.users.viewer })).status).toBe(403);
    expect((await postAction(lw.users.operator, raise(85))).body.status).toBe("succeeded");
    pristine = await readFile(lw.auditFile, "utf8");
    lines = pristine.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(7);
  });

  const check = async (tampered: string[], expected: Partial<Verify>) => {
    await writeFile(lw.auditFile, `${tampered.join("\n")}\n`);
    try {
      expect(await verifyViaApi()).toMatchObject({ ok: false, ...expected });
    } finally {
      await writeFile(lw.auditFile, pristine);
    }
  };

  it("reports an intact log as ok, with every entry counted", async () => {
    expect(await verifyViaApi()).toMatchObject({ ok: true, entries: lines.length });
  });

  it("names the entry that was edited", async () => {
    const edited = [...lines];
    const third = JSON.parse(edited[2]!) as { actor: string };
    edited[2] = edited[2]!.replace(JSON.stringify(third.actor), JSON.stringify(`${third.actor}x`));
    expect(edited[2]).not.toBe(lines[2]);
    await check(edited, { problem: "edited", firstBadSeq: 3 });
  });

  it("names the entry that was deleted", async () => {
    await check(
      lines.filter((_, i) => i !== 3),
      { problem: "deleted", firstBadSeq: 4 },
    );
  });

  it("names the entries that were swapped", async () => {
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    await check(swapped, { problem: "reordered", firstBadSeq: 3 });
  });

  it("sees a cut-off tail against the head kept in the database", async () => {
    await check(lines.slice(0, -2), { problem: "truncated", firstBadSeq: lines.length - 1 });
  });

  it("is ok again once the file is restored", async () => {
    expect(await verifyViaApi()).toMatchObject({ ok: true, entries: lines.length });
  });
});

describe("open intents", () => {
  it("lists an intent that never got an outcome, and only that one", async () => {
    expect(await lw.audit.listOpenIntents()).toEqual([]);
    const orphanId = randomUUID();
    // What a console that died between intent and outcome leaves behind.
    await appendAudit({
      id: orphanId,
      kind: "intent",
      actor: lw.users.operator.username,
      role: "operator",
      sourceIp: null,
      action: "container.set-pids-limit",
      target: `local/${name}`,
      params: { limit: 99 },
      reason: "CHG-99",
    });
    const open = await lw.audit.listOpenIntents();
    expect(open.map((e) => e.id)).toEqual([orphanId]);
    expect(open[0]).toMatchObject({ action: "container.set-pids-limit", reason: "CHG-99" });
    // Every action that ran has its outcome.
    const entries = await lw.auditEntries();
    const intents = entries.filter((e) => e.kind === "intent" && e.id !== orphanId);
    expect(intents.length).toBeGreaterThanOrEqual(3);
    for (const i of intents) expect(entries.some((e) => e.kind === "outcome" && e.id === i.id)).toBe(true);
    // An open intent is a valid entry: the chain still verifies.
    expect(await verifyViaApi()).toMatchObject({ ok: true });
  });
});
