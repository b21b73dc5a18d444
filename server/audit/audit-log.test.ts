import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditUnavailableError } from "@/server/errors";
import { appendAudit, AUDIT_FILE_NAME, MemoryHeadStore, openAuditLog, setAuditLog } from "./audit-log";
import { lineHash } from "./chain";
import { auditEvent } from "./service";
import type { AuditSink, HeadStore } from "./types";
import { verifyAudit } from "./verify";

const KEY = "test-key-0123456789abcdef";
let dir: string;

beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), "lw-audit-")), "audit");
});
afterEach(async () => {
  setAuditLog(null);
  await rm(path.dirname(dir), { recursive: true, force: true });
});

const lines = async () => (await readFile(path.join(dir, AUDIT_FILE_NAME), "utf8")).split("\n").filter(Boolean);
const intent = (n: number) => ({
  kind: "intent" as const,
  actor: "ana",
  role: "operator",
  sourceIp: "127.0.0.1",
  action: "queue.move",
  target: `q${n}`,
  params: { n },
});

describe("appendAudit", () => {
  it("chains entries: seq 1..n, prevHash links, HMAC valid, head stored in the DB copy", async () => {
    const headStore = new MemoryHeadStore();
    const log = await openAuditLog({ dir, key: KEY, headStore, instance: "i-1" });
    const a = await log.append(intent(1));
    await log.append({
      kind: "outcome",
      id: a.entry.id,
      actor: "ana",
      action: "queue.move",
      result: "ok",
      durationMs: 12,
      after: { moved: 3 },
    });
    const ls = await lines();
    expect(ls).toHaveLength(2);
    const [e1, e2] = ls.map((l) => JSON.parse(l));
    expect(e1.seq).toBe(1);
    expect(e1.prevHash).toBe("0".repeat(64));
    expect(e1.instance).toBe("i-1");
    expect(e2.seq).toBe(2);
    expect(e2.prevHash).toBe(lineHash(ls[0]!));
    expect(e2.id).toBe(e1.id);
    expect(await headStore.get()).toEqual({ seq: 2, hash: lineHash(ls[1]!) });
    expect(await verifyAudit({ file: log.file, key: KEY, head: await headStore.get() })).toMatchObject({
      ok: true,
      entries: 2,
    });
  });

  it("never writes secrets raw", async () => {
    const log = await openAuditLog({ dir, key: KEY, headStore: new MemoryHeadStore() });
    await log.append({
      ...intent(1),
      params: { queue: "mail", password: "hunter2", headers: { Authorization: "Bearer xyz" } },
    });
    const text = (await lines()).join("\n");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("Bearer xyz");
    expect(JSON.parse(text).params).toEqual({
      queue: "mail",
      password: "[redacted]",
      headers: { Authorization: "[redacted]" },
    });
  });

  it("serializes concurrent appends into one contiguous chain", async () => {
    const log = await openAuditLog({ dir, key: KEY, headStore: new MemoryHeadStore() });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(intent(i))));
    expect(results.map((r) => r.entry.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await verifyAudit({ file: log.file, key: KEY })).toMatchObject({ ok: true, entries: 50 });
  });

  it("resumes seq and prevHash from the file's last line after a restart", async () => {
    const headStore = new MemoryHeadStore();
    const first = await openAuditLog({ dir, key: KEY, headStore });
    for (let i = 0; i < 3; i++) await first.append(intent(i));
    const second = await openAuditLog({ dir, key: KEY, headStore });
    expect(second.instance).toBe(first.instance); // persisted instance id
    const r = await second.append(intent(9));
    expect(r.entry.seq).toBe(4);
    expect(await verifyAudit({ file: second.file, key: KEY, head: await headStore.get() })).toMatchObject({
      ok: true,
      entries: 4,
    });
  });

  it("refuses to continue a chain whose file was cut behind the DB head", async () => {
    const headStore = new MemoryHeadStore();
    const log = await openAuditLog({ dir, key: KEY, headStore });
    for (let i = 0; i < 3; i++) await log.append(intent(i));
    const ls = await lines();
    await writeFile(log.file, `${ls.slice(0, 2).join("\n")}\n`);
    await expect(openAuditLog({ dir, key: KEY, headStore })).rejects.toThrow(
      /ends at entry 2 but the database head is 3/,
    );
  });

  it("accepts a DB head that lags the file when the file still holds that entry", async () => {
    const ls: string[] = [];
    const headStore = new MemoryHeadStore();
    const log = await openAuditLog({ dir, key: KEY, headStore });
    for (let i = 0; i < 3; i++) await log.append(intent(i));
    ls.push(...(await lines()));
    const lagging = new MemoryHeadStore({ seq: 2, hash: lineHash(ls[1]!) });
    const reopened = await openAuditLog({ dir, key: KEY, headStore: lagging });
    expect(reopened.getHead()?.seq).toBe(3);
    expect(await lagging.get()).toEqual({ seq: 3, hash: lineHash(ls[2]!) });
    const wrong = new MemoryHeadStore({ seq: 2, hash: "f".repeat(64) });
    await expect(openAuditLog({ dir, key: KEY, headStore: wrong })).rejects.toThrow(AuditUnavailableError);
  });

  it("throws AuditUnavailableError and appends nothing when the file is replaced by a directory", async () => {
    const headStore = new MemoryHeadStore();
    const log = await openAuditLog({ dir, key: KEY, headStore });
    await log.append(intent(1));
    const saved = await readFile(log.file, "utf8");
    await rm(log.file);
    await mkdir(log.file);
    await expect(log.append(intent(2))).rejects.toBeInstanceOf(AuditUnavailableError);
    expect((await headStore.get())?.seq).toBe(1);
    // Put the file back: the chain goes on at seq 2, no seq was burned by the failed attempt.
    await rm(log.file, { recursive: true });
    await writeFile(log.file, saved);
    expect((await log.append(intent(3))).entry.seq).toBe(2);
    expect(await verifyAudit({ file: log.file, key: KEY, head: await headStore.get() })).toMatchObject({
      ok: true,
      entries: 2,
    });
  });

  it("throws AuditUnavailableError when the audit dir cannot be created", async () => {
    await mkdir(path.dirname(dir), { recursive: true });
    await writeFile(dir, "not a directory");
    await expect(openAuditLog({ dir, key: KEY, headStore: new MemoryHeadStore() })).rejects.toBeInstanceOf(
      AuditUnavailableError,
    );
  });

  it("refuses the action when the DB head cannot be written, leaving an open intent", async () => {
    const failing: HeadStore = { get: async () => null, set: async () => Promise.reject(new Error("db down")) };
    const log = await openAuditLog({ dir, key: KEY, headStore: failing });
    await expect(log.append(intent(1))).rejects.toThrow(/database head was not updated/);
    expect((await log.listOpenIntents()).map((e) => e.target)).toEqual(["q1"]);
  });

  it("refuses every append when no audit log is configured", async () => {
    setAuditLog(null);
    await expect(appendAudit(intent(1))).rejects.toBeInstanceOf(AuditUnavailableError);
    await expect(
      auditEvent({ kind: "login", actor: "a", role: null, sourceIp: null, action: "login", detail: null }),
    ).rejects.toBeInstanceOf(AuditUnavailableError);
  });

  it("records security events through the process-wide log", async () => {
    setAuditLog(await openAuditLog({ dir, key: KEY, headStore: new MemoryHeadStore() }));
    await auditEvent({
      kind: "login-failed",
      actor: "bob",
      role: null,
      sourceIp: "127.0.0.1",
      action: "login",
      detail: "wrong username or password",
    });
    expect(JSON.parse((await lines())[0]!)).toMatchObject({
      kind: "event",
      event: "login-failed",
      actor: "bob",
      reason: "wrong username or password",
    });
  });

  it("lists intents without outcome", async () => {
    const log = await openAuditLog({ dir, key: KEY, headStore: new MemoryHeadStore() });
    const a = await log.append(intent(1));
    const b = await log.append(intent(2));
    await log.append({ kind: "outcome", id: a.entry.id, actor: "ana", action: "queue.move", result: "ok" });
    expect((await log.listOpenIntents()).map((e) => e.id)).toEqual([b.entry.id]);
  });

  it("reports a failing secondary sink without failing the append", async () => {
    const seen: number[] = [];
    const good: AuditSink = { name: "good", write: async (e) => void seen.push(e.seq) };
    const bad: AuditSink = { name: "bad", write: async () => Promise.reject(new Error("syslog down")) };
    const hung: AuditSink = { name: "hung", write: () => new Promise(() => undefined) };
    const log = await openAuditLog({
      dir,
      key: KEY,
      headStore: new MemoryHeadStore(),
      extraSinks: [good, bad, hung],
      sinkTimeoutMs: 50,
    });
    const r = await log.append(intent(1));
    expect(r.entry.seq).toBe(1);
    expect(seen).toEqual([1]);
    expect(r.sinkFailures).toEqual([
      { sink: "bad", message: "syslog down" },
      { sink: "hung", message: "hung did not answer within 50 ms" },
    ]);
    expect(await lines()).toHaveLength(1);
  });
});
