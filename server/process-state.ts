import "server-only";

// Process-wide state (clients, snapshots, caches, leases) in one registry on globalThis: it survives a dev hot
// reload and is shared by route bundles, and tests reset all of it at once instead of naming keys one by one.
// Callers look their state up on each use (`const jobs = () => processState(...)`), never keep it at module scope,
// so a reset reaches modules that were loaded before it.

const g = globalThis as unknown as { __leakwatchState?: Map<string, unknown> };
const registry = (): Map<string, unknown> => (g.__leakwatchState ??= new Map());

/** This process's value under `key`, made by `init` on first use. One key per owning module. */
export function processState<T>(key: string, init: () => T): T {
  const r = registry();
  if (!r.has(key)) r.set(key, init());
  return r.get(key) as T;
}

/** Tests only: forget every value, so the next lookup starts fresh (close clients and timers first). */
export function resetProcessState(): void {
  registry().clear();
}
