import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryHeadStore, openAuditLog, type AuditLog } from "./audit-log";
import { csvCell, toCsv } from "./export";
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
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("readAudit", () => {
  it("pairs intents with outcomes, newest first", async () => {
    const { rows } = await readAudit(log.file, { limit: 10 });
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ["container.restart", "unknown"],
      ["queue.purge", "error"],
      ["login", "login-failed"],
      ["queue.move", "ok"],
    ]);
    expect(rows[3]).toMatchObject({ durationMs: 30, params: { count: 5 }, kind: "action" });
    expect(rows[1]).toMatchObject({ error: "redis down", reason: "stuck, ticket 42" });
  });

  it("filters and pages", async () => {
    expect((await readAudit(log.file, { actor: "ana", limit: 10 })).rows.map((r) => r.action)).toEqual([
      "container.restart",
      "queue.move",
    ]);
    expect((await readAudit(log.file, { outcome: "unknown", limit: 10 })).rows.map((r) => r.target)).toEqual([
      "worker-1",
    ]);
    expect(
      (
        await readAudit(log.file, { from: "2025-01-01T00:02:00.000Z", to: "2025-01-01T00:03:00.000Z", limit: 10 })
      ).rows.map((r) => r.action),
    ).toEqual(["queue.purge", "login"]);
    expect((await readAudit(log.file, { limit: 2, offset: 1 })).rows.map((r) => r.action)).toEqual([
      "queue.purge",
      "login",
    ]);
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
    expect(csv[2]).toContain(',bob,admin,,queue.purge,dataset,"stuck, ticket 42",error,,redis down,');
  });
});
