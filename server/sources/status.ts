import "server-only";
import type { SourceKind, SourceState } from "@/server/schemas/sources";
import { emit } from "@/server/bus";
import { processState } from "@/server/process-state";

// Up/down state of every source (Docker endpoints, Redis brokers, the console's database), in memory.
// Samplers mark a source after each attempt; the status strip and /api/health read it.

const sources = () => processState("sources", () => new Map<string, SourceState>());

const key = (kind: SourceKind, name: string) => `${kind}:${name}`;

export function registerSource(kind: SourceKind, name: string): void {
  if (!sources().has(key(kind, name)))
    sources().set(key(kind, name), {
      kind,
      name,
      ok: false,
      lastError: null,
      lastErrorAt: null,
      lastOkAt: null,
      checkedAt: null,
    });
}

export function markSource(kind: SourceKind, name: string, ok: boolean, error?: string): void {
  registerSource(kind, name);
  const prev = sources().get(key(kind, name))!;
  const now = Date.now();
  const next: SourceState = ok
    ? { ...prev, ok: true, lastOkAt: now, checkedAt: now }
    : { ...prev, ok: false, lastError: error ?? "unknown error", lastErrorAt: now, checkedAt: now };
  sources().set(key(kind, name), next);
  if (prev.ok !== next.ok || prev.checkedAt === null) emit("sources", listSources());
}

export function listSources(): SourceState[] {
  return [...sources().values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
