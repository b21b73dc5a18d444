import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { canonicalize } from "./canonical-json";
import type { AuditEntry } from "./types";

// The two links of the chain: hmac authenticates an entry (needs the server key), prevHash ties it
// to the exact bytes of the line before it (so deleting, reordering or editing breaks the chain).

export type AuditKey = string | Buffer;

export function lineHash(line: string): string {
  return createHash("sha256").update(line, "utf8").digest("hex");
}

function entryHmac(entryWithoutHmac: Omit<AuditEntry, "hmac">, key: AuditKey): string {
  return createHmac("sha256", key).update(canonicalize(entryWithoutHmac), "utf8").digest("hex");
}

export function sealEntry(entry: Omit<AuditEntry, "hmac">, key: AuditKey): { entry: AuditEntry; line: string } {
  const sealed: AuditEntry = { ...entry, hmac: entryHmac(entry, key) };
  return { entry: sealed, line: canonicalize(sealed) };
}

export function hmacValid(entry: AuditEntry, key: AuditKey): boolean {
  const { hmac, ...rest } = entry;
  if (typeof hmac !== "string" || !/^[0-9a-f]{64}$/.test(hmac)) return false;
  return timingSafeEqual(Buffer.from(hmac, "hex"), Buffer.from(entryHmac(rest, key), "hex"));
}
