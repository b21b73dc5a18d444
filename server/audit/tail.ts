import "server-only";
import { access } from "node:fs/promises";
import { AuditUnavailableError } from "@/server/errors";
import { hmacValid, lineHash, type AuditKey } from "./chain";
import { endsWithNewline, readLinesBackward } from "./read-lines";
import type { AuditEntry, ChainHead, HeadStore } from "./types";

// Start-up: find where the chain stands by reading only the last line of the file, then check it
// against the database copy of the head. A file that is behind the database was cut: refuse to
// continue the chain over it, since appending would hide the truncation.

export interface FileTail extends ChainHead {
  instance: string;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function readTail(file: string, key: AuditKey): Promise<FileTail | null> {
  if (!(await exists(file))) return null;
  let last: string | undefined;
  for await (const line of readLinesBackward(file)) {
    last = line;
    break;
  }
  if (last === undefined) return null; // empty file
  if (!(await endsWithNewline(file)))
    throw new AuditUnavailableError(
      `the last line of ${file} is incomplete (torn write); run audit-verify before continuing`,
    );
  let entry: AuditEntry;
  try {
    entry = JSON.parse(last) as AuditEntry;
  } catch {
    throw new AuditUnavailableError(`the last line of ${file} is not JSON; run audit-verify`);
  }
  if (!Number.isInteger(entry.seq) || !hmacValid(entry, key))
    throw new AuditUnavailableError(`the last line of ${file} fails its HMAC check; run audit-verify`);
  return { seq: entry.seq, hash: lineHash(last), instance: entry.instance };
}

/** The hash of the line carrying `seq`, scanning back at most `maxLines` lines from the end. */
async function hashAtSeq(file: string, seq: number, maxLines: number): Promise<string | null> {
  let n = 0;
  for await (const line of readLinesBackward(file)) {
    if (++n > maxLines) break;
    try {
      if ((JSON.parse(line) as AuditEntry).seq === seq) return lineHash(line);
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Decides the head to continue from. The database may lag the file (a head write failed after the
 * line was on disk): that is accepted when the file still holds the database's head entry.
 */
export async function reconcileHead(
  file: string,
  tail: FileTail | null,
  headStore: HeadStore,
): Promise<ChainHead | null> {
  const stored = await headStore.get();
  if (!stored) return tail ? { seq: tail.seq, hash: tail.hash } : null;
  if (!tail)
    throw new AuditUnavailableError(
      `the database records audit entry ${stored.seq} but ${file} is missing or empty (truncated?)`,
    );
  if (stored.seq > tail.seq)
    throw new AuditUnavailableError(
      `${file} ends at entry ${tail.seq} but the database head is ${stored.seq} (truncated?)`,
    );
  const hash = stored.seq === tail.seq ? tail.hash : await hashAtSeq(file, stored.seq, tail.seq - stored.seq + 1);
  if (hash !== stored.hash)
    throw new AuditUnavailableError(`audit entry ${stored.seq} in ${file} does not match the database head (edited?)`);
  return { seq: tail.seq, hash: tail.hash };
}
