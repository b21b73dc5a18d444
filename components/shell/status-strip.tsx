"use client";
import { useHealth } from "@/components/hooks/use-health";
import { fmtAge, fmtSince } from "@/lib/format";

// Every source (Docker endpoints, Redis brokers, the console's database) as up or down with its last error.
export function StatusStrip() {
  const { data, error } = useHealth();
  return (
    <header
      aria-label="Source status"
      className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-2 text-xs md:px-6 dark:border-zinc-800"
    >
      {error && (
        <span role="alert" className="rounded bg-red-600/20 px-2 py-1 text-red-700 dark:text-red-300">
          Console API unreachable: {error.message}
        </span>
      )}
      {!data && !error && <span className="text-zinc-500">Checking sources…</span>}
      {data?.sources.map((s) => (
        <span
          key={`${s.kind}:${s.name}`}
          data-testid={`source-${s.kind}-${s.name}`}
          data-ok={s.ok ? "true" : "false"}
          title={
            s.ok ? `up; checked ${fmtAge(s.checkedAt)}` : `down for ${fmtSince(s.lastErrorAt)}: ${s.lastError ?? ""}`
          }
          className={`inline-flex max-w-full items-center gap-1.5 rounded-full border px-2 py-0.5 ${s.ok ? "border-emerald-600/40 text-emerald-700 dark:text-emerald-300" : "border-red-600/60 bg-red-600/10 text-red-700 dark:text-red-300"}`}
        >
          <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${s.ok ? "bg-emerald-500" : "bg-red-500"}`} />
          <span className="font-medium">
            {s.kind}:{s.name}
          </span>
          <span>{s.ok ? "up" : "down"}</span>
          {!s.ok && s.lastError && <span className="truncate opacity-80">— {s.lastError}</span>}
        </span>
      ))}
    </header>
  );
}
