import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryHeadStore, openAuditLog, type AuditLog } from "./audit-log";
import { canonicalize } from "./canonical-json";
import { lineHash, sealEntry } from "./chain";
import type { ChainHead } from "./types";
import { verifyAudit } from "./verify";

const KEY = "verify-key";
let root: string;
let log: AuditLog;
let head: ChainHead | null;
let original: string[];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "lw-verify-"));
  const headStore = new MemoryHeadStore();
  log = await openAuditLog({ dir: path.join(root, "audit"), key: KEY, headStore, instance: "i-1" });
  for (let i = 1; i <= 6; i++) {
    const r = await log.append({
      kind: "intent",
      actor: "ana",
      action: "queue.purge",
      target: `q${i}`,
      params: { i, note: "ünïcødé ☃" },
    });
    await log.append({
      kind: "outcome",
      id: r.entry.id,
      actor: "ana",
      action: "queue.purge",
      result: "ok",
      durationMs: i,
    });
  }
  head = await headStore.get();
  original = (await readFile(log.file, "utf8")).split("\n").filter(Boolean);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const save = (ls: string[]) => writeFile(log.file, ls.map((l) => `${l}\n`).join(""));
const verify = () => verifyAudit({ file: log.file, key: KEY, head });

describe("verifyAudit", () => {
  it("accepts an untouched log", async () => {
    expect(await verify()).toMatchObject({ ok: true, entries: 12 });
  });

  it("finds an edited field at that entry", async () => {
    const ls = [...original];
    const e = JSON.parse(ls[4]!);
    e.target = "q-other";
    ls[4] = canonicalize(e);
    await save(ls);
    expect(await verify()).toMatchObject({ ok: false, problem: "edited", firstBadSeq: 5, line: 5 });
  });

  it("finds an edit to the last entry through the DB head", async () => {
    const ls = [...original];
    const e = JSON.parse(ls[11]!);
    e.result = "failed";
    ls[11] = canonicalize(e);
    await save(ls);
    expect(await verify()).toMatchObject({ ok: false, problem: "edited", firstBadSeq: 12 });
  });

  it("finds a deleted middle line", async () => {
    await save(original.filter((_, i) => i !== 6));
    expect(await verify()).toMatchObject({ ok: false, problem: "deleted", firstBadSeq: 7, line: 7 });
  });

  it("finds two swapped lines", async () => {
    const ls = [...original];
    [ls[2], ls[3]] = [ls[3]!, ls[2]!];
    await save(ls);
    expect(await verify()).toMatchObject({ ok: false, problem: "reordered", firstBadSeq: 3, line: 3 });
  });

  it("finds the last lines cut off (only with the DB head)", async () => {
    await save(original.slice(0, 9));
    expect(await verify()).toMatchObject({ ok: false, problem: "truncated", firstBadSeq: 10, entries: 9 });
    expect(await verifyAudit({ file: log.file, key: KEY })).toMatchObject({ ok: true, entries: 9 });
  });

  it("finds a torn or non-canonical line", async () => {
    const ls = [...original];
    ls[1] = ls[1]!.slice(0, 40);
    await save(ls);
    expect(await verify()).toMatchObject({ ok: false, problem: "malformed", firstBadSeq: 2, line: 2 });
    const spaced = [...original];
    spaced[1] = JSON.stringify(JSON.parse(spaced[1]!), null, 1).replace(/\n/g, "");
    await save(spaced);
    expect(await verify()).toMatchObject({ ok: false, problem: "malformed", firstBadSeq: 2 });
  });

  it("tells a re-chained forgery (bad HMAC, intact links) from an edit", async () => {
    // An attacker without the key rewrites entry 4 and re-links everything after it.
    const ls = [...original];
    const forged = sealEntry({ ...JSON.parse(ls[3]!), target: "forged" }, "guessed-key");
    ls[3] = forged.line;
    let prev = lineHash(forged.line);
    for (let i = 4; i < ls.length; i++) {
      const { hmac: _drop, ...rest } = JSON.parse(ls[i]!);
      const resealed = sealEntry({ ...rest, prevHash: prev }, "guessed-key");
      ls[i] = resealed.line;
      prev = lineHash(resealed.line);
    }
    await save(ls);
    expect(await verify()).toMatchObject({ ok: false, problem: "bad-hmac", firstBadSeq: 4 });
  });

  it("reports the wrong key as bad-hmac at entry 1", async () => {
    expect(await verifyAudit({ file: log.file, key: "other", head })).toMatchObject({
      ok: false,
      problem: "bad-hmac",
      firstBadSeq: 1,
    });
  });

  it("reports a missing file with a DB head as truncated", async () => {
    await rm(log.file);
    expect(await verify()).toMatchObject({ ok: false, problem: "truncated", firstBadSeq: 1, entries: 0 });
  });
});
