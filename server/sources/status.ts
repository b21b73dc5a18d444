import "server-only";
import type { SourceKind, SourceState } from "@/server/schemas/sources";
import { emit } from "@/server/bus";

// Up/down state of every source (Docker endpoints, Redis brokers, the console's database), in memory.
// Samplers mark a source after each attempt; the status strip and /api/health read it.

const g = globalThis as unknown as { __leakwatchSources?: Map<string, SourceState> };
const sources = (g.__leakwatchSources ??= new Map());

const key = (kind: SourceKind, name: string) => `${kind}:${name}`;

export function registerSource(kind: SourceKind, name: string): void {
  if (!sources.has(key(kind, name)))
    sources.set(key(kind, name), {
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
  const prev = sources.get(key(kind, name))!;
  const now = Date.now();
  const next: SourceState = ok
    ? { ...prev, ok: true, lastOkAt: now, checkedAt: now }
    : { ...prev, ok: false, lastError: error ?? "unknown error", lastErrorAt: now, checkedAt: now };
  sources.set(key(kind, name), next);
  if (prev.ok !== next.ok || prev.checkedAt === null) emit("sources", listSources());
}

export function listSources(): SourceState[] {
  return [...sources.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
