import "server-only";
import { access } from "node:fs/promises";
import { isCanonical } from "./canonical-json";
import { hmacValid, lineHash, type AuditKey } from "./chain";
import { readLinesForward } from "./read-lines";
import type { AuditProblem, AuditVerifyResponse } from "@/server/schemas/audit";
import { GENESIS_HASH, type AuditEntry, type ChainHead } from "./types";

// Walks the file once, line by line, and names the first entry where the chain breaks and how:
//   malformed  - a line is not JSON, not canonical, or has no integer seq
//   deleted    - a seq is missing and never appears later
//   reordered  - a seq is missing here but appears later (lines swapped or moved)
//   edited     - an entry's content changed (HMAC fails and the next line no longer links to it)
//   bad-hmac   - the links are intact but the HMAC is wrong (forged entries or the wrong key)
//   truncated  - the file ends before the head recorded in the database

export interface VerifyOptions {
  file: string;
  key: AuditKey;
  /** The head from the console's database; without it truncation of the tail cannot be seen. */
  head?: ChainHead | null;
}

interface Pending {
  entry: AuditEntry;
  raw: string;
  hash: string;
  lineNo: number;
}

export async function verifyAudit({ file, key, head }: VerifyOptions): Promise<AuditVerifyResponse> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  const lines = exists ? readLinesForward(file)[Symbol.asyncIterator]() : null;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let lineNo = 0;
  let hashAtHead: string | null = null;
  let pending: Pending | null = null; // an entry whose HMAC failed, waiting for the next line to classify it

  const fail = (problem: AuditProblem, seq: number, atLine: number, message: string): AuditVerifyResponse => ({
    ok: false,
    entries: seq - 1,
    firstBadSeq: seq,
    line: atLine,
    problem,
    message,
  });
  const classifyBadHmac = (p: Pending, next: AuditEntry | null): AuditVerifyResponse => {
    const linked = next ? next.prevHash === p.hash : !!head && head.seq === p.entry.seq && head.hash === p.hash;
    return linked
      ? fail(
          "bad-hmac",
          p.entry.seq,
          p.lineNo,
          `entry ${p.entry.seq}: HMAC is wrong but the chain links to it (forged, or the wrong key)`,
        )
      : fail("edited", p.entry.seq, p.lineNo, `entry ${p.entry.seq} was changed after it was written`);
  };

  while (lines) {
    const { value: raw, done } = await lines.next();
    if (done) break;
    lineNo++;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(raw) as AuditEntry;
    } catch {
      if (pending) return classifyBadHmac(pending, null);
      return fail("malformed", expectedSeq, lineNo, `line ${lineNo} is not JSON`);
    }
    if (pending) return classifyBadHmac(pending, entry);
    if (!Number.isInteger(entry.seq) || !isCanonical(raw))
      return fail("malformed", expectedSeq, lineNo, `line ${lineNo} is not a canonical audit entry`);
    if (entry.seq !== expectedSeq) {
      const later = entry.seq < expectedSeq || (await seenLater(lines, expectedSeq));
      return later
        ? fail(
            "reordered",
            expectedSeq,
            lineNo,
            `entry ${expectedSeq} is out of place (line ${lineNo} holds ${entry.seq})`,
          )
        : fail("deleted", expectedSeq, lineNo, `entry ${expectedSeq} is missing (line ${lineNo} holds ${entry.seq})`);
    }
    const hash = lineHash(raw);
    if (!hmacValid(entry, key)) {
      pending = { entry, raw, hash, lineNo };
      continue;
    }
    if (entry.prevHash !== prevHash)
      return fail(
        "edited",
        expectedSeq - 1,
        lineNo - 1,
        `entry ${expectedSeq} no longer links to entry ${expectedSeq - 1}`,
      );
    if (head && entry.seq === head.seq) hashAtHead = hash;
    prevHash = hash;
    expectedSeq++;
  }
  if (pending) return classifyBadHmac(pending, null);

  const entries = expectedSeq - 1;
  if (head && head.seq > entries)
    return {
      ...fail(
        "truncated",
        entries + 1,
        lineNo + 1,
        `the file ends at entry ${entries} but the database head is ${head.seq}`,
      ),
      entries,
    };
  if (head && head.seq > 0 && hashAtHead !== head.hash)
    return fail("edited", head.seq, head.seq, `entry ${head.seq} differs from the database head`);
  const headLag = head ? entries - head.seq : undefined;
  return {
    ok: true,
    entries,
    message: head
      ? `${entries} entries verified against the database head`
      : `${entries} entries verified (no database head given: truncation of the tail is not checked)`,
    ...(headLag ? { headLag } : {}),
  };
}

/** Reads on (seq only) to tell a missing entry from a misplaced one. */
async function seenLater(lines: AsyncIterator<string>, seq: number): Promise<boolean> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) return false;
    try {
      if ((JSON.parse(value) as AuditEntry).seq === seq) return true;
    } catch {
      // a malformed line further on is reported once this break is fixed
    }
  }
}
