import "server-only";
import { access } from "node:fs/promises";
import { readLinesForward } from "./read-lines";
import type { AuditEntry } from "./types";

// Intents with no outcome: the console stopped (or the head write failed) between the two, so the
// action's result is unknown. Shown at start-up so an operator can check by hand.

export async function listOpenIntents(file: string): Promise<AuditEntry[]> {
  if (
    !(await access(file).then(
      () => true,
      () => false,
    ))
  )
    return [];
  const open = new Map<string, AuditEntry>();
  for await (const line of readLinesForward(file)) {
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      continue; // malformed lines are verify's business, not this list's
    }
    if (entry.kind === "intent") open.set(entry.id, entry);
    else if (entry.kind === "outcome") open.delete(entry.id);
  }
  return [...open.values()];
}
