import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryHeadStore, openAuditLog, type AuditLog } from "./audit-log";
import { csvCell, toCsv } from "./export";
import { parseAuditQuery } from "./query-params";
import { readAudit } from "./query";

let root: string;
let log: AuditLog;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "lw-query-"));
  log = await openAuditLog({ dir: path.join(root, "audit"), key: "k", headStore: new MemoryHeadStore() });
  const ts = (m: number) => new Date(Date.UTC(2025, 0, 1, 0, m)).toISOString();
  const a = await log.append({
    kind: "intent",
    ts: ts(1),
    actor: "ana",
    role: "operator",
    action: "queue.move",
    target: "mail",
    params: { count: 5 },
  });
  await log.append({
    kind: "event",
    ts: ts(2),
    event: "login-failed",
    actor: "eve",
    action: "login",
    reason: "wrong password",
  });
  const b = await log.append({
    kind: "intent",
    ts: ts(3),
    actor: "bob",
    role: "admin",
    action: "queue.purge",
    target: "dataset",
    reason: "stuck, ticket 42",
  });
  await log.append({
    kind: "outcome",
    ts: ts(4),
    id: a.entry.id,
    actor: "ana",
    action: "queue.move",
    result: "ok",
    durationMs: 30,
  });
  await log.append({
    kind: "outcome",
    ts: ts(5),
    id: b.entry.id,
    actor: "bob",
    action: "queue.purge",
    result: "error",
    error: "redis down",
  });
  await log.append({ kind: "intent", ts: ts(6), actor: "ana", action: "container.restart", target: "worker-1" });
  // A container action as runAction records it: the name as target, host/<full id> as targetId.
  await log.append({
    kind: "intent",
    ts: ts(7),
    actor: "bob",
    action: "container.set-pids-limit",
    target: "local/Dify-Worker-1",
    targetId: `local/${"ab12".repeat(16)}`,
    params: { limit: 2000, revertAfterSeconds: 300 },
  });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("readAudit", () => {
  it("pairs intents with outcomes, newest first", async () => {
    const { rows } = await readAudit(log.file, { limit: 10 });
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ["container.set-pids-limit", "unknown"],
      ["container.restart", "unknown"],
      ["queue.purge", "error"],
      ["login", "login-failed"],
      ["queue.move", "ok"],
    ]);
    expect(rows[4]).toMatchObject({ durationMs: 30, params: { count: 5 }, kind: "action", targetId: null });
    expect(rows[2]).toMatchObject({ error: "redis down", reason: "stuck, ticket 42" });
    expect(rows[0]).toMatchObject({ target: "local/Dify-Worker-1", targetId: `local/${"ab12".repeat(16)}` });
  });

  it("filters and pages", async () => {
    expect((await readAudit(log.file, { actor: "ana", limit: 10 })).rows.map((r) => r.action)).toEqual([
      "container.restart",
      "queue.move",
    ]);
    expect((await readAudit(log.file, { outcome: "unknown", limit: 10 })).rows.map((r) => r.target)).toEqual([
      "local/Dify-Worker-1",
      "worker-1",
    ]);
    expect(
      (
        await readAudit(log.file, { from: "2025-01-01T00:02:00.000Z", to: "2025-01-01T00:03:00.000Z", limit: 10 })
      ).rows.map((r) => r.action),
    ).toEqual(["queue.purge", "login"]);
    expect((await readAudit(log.file, { limit: 2, offset: 2 })).rows.map((r) => r.action)).toEqual([
      "queue.purge",
      "login",
    ]);
  });

  it("finds a substring of the action or the target, in any case", async () => {
    const actions = async (q: { action?: string; target?: string; actor?: string }) =>
      (await readAudit(log.file, { ...q, limit: 10 })).rows.map((r) => r.action);
    expect(await actions({ action: "QUEUE." })).toEqual(["queue.purge", "queue.move"]);
    expect(await actions({ action: "pids" })).toEqual(["container.set-pids-limit"]);
    expect(await actions({ action: "queue.purge" })).toEqual(["queue.purge"]);
    expect(await actions({ target: "dify-worker" })).toEqual(["container.set-pids-limit"]);
    // The container's id (a prefix as `docker ps` shows it, or any part) finds the entry recorded by name.
    expect(await actions({ target: `local/${"ab12".repeat(3)}` })).toEqual(["container.set-pids-limit"]);
    expect(await actions({ target: "AB12AB" })).toEqual(["container.set-pids-limit"]);
    expect(await actions({ target: "worker" })).toEqual(["container.set-pids-limit", "container.restart"]);
    // Combined with the other filters, and an event without target is never matched by a target filter.
    expect(await actions({ target: "worker", actor: "ana" })).toEqual(["container.restart"]);
    expect(await actions({ target: "a", action: "login" })).toEqual([]);
    expect(await actions({ action: "nothing-like-this" })).toEqual([]);
  });

  it("stops at the first line older than stopBefore, and applies a test in code", async () => {
    // Backwards: set-pids-limit (00:07), restart (00:06), two outcomes (00:05, 00:04), then the purge's intent
    // (00:03) is older: the scan ends there, so the purge (its outcome seen) is not listed.
    const recent = await readAudit(log.file, { stopBefore: "2025-01-01T00:03:30.000Z", limit: 10 });
    expect(recent.rows.map((r) => r.action)).toEqual(["container.set-pids-limit", "container.restart"]);
    const where = await readAudit(log.file, { where: (r) => r.actor === "bob", limit: 10 });
    expect(where.rows.map((r) => r.action)).toEqual(["container.set-pids-limit", "queue.purge"]);
  });

  it("reads the filters from a URL: trimmed, blank ones dropped, over-long ones refused", () => {
    const q = (qs: string) => parseAuditQuery(`http://x/api/audit?${qs}`);
    expect(q("action=%20pids%20&target=Dify&limit=5&offset=10&format=csv")).toEqual({
      action: "pids",
      target: "Dify",
      limit: 5,
      offset: 10,
    });
    expect(q("action=%20%20&target=")).toEqual({ limit: 100, offset: 0 });
    expect(() => q(`target=${"x".repeat(501)}`)).toThrow();
    expect(() => q(`action=${"x".repeat(201)}`)).toThrow();
    expect(() => q("limit=0")).toThrow();
  });

  it("stops a bounded scan and says so", async () => {
    expect(await readAudit(log.file, { limit: 10, maxScanLines: 2 })).toMatchObject({ truncatedScan: true });
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and newlines and defuses formulas", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(-3)).toBe("'-3");
    expect(csvCell(null)).toBe("");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it("writes a header and one line per row", async () => {
    const { rows } = await readAudit(log.file, { limit: 10 });
    const csv = toCsv(rows).split("\r\n");
    expect(csv[0]).toBe("ts,id,kind,actor,role,sourceIp,action,target,reason,outcome,durationMs,error,params");
    expect(csv).toHaveLength(rows.length + 2); // header + rows + trailing empty
    expect(csv[3]).toContain(',bob,admin,,queue.purge,dataset,"stuck, ticket 42",error,,redis down,');
  });
});
