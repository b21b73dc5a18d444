"use client";
import { fmtClock, fmtUtc } from "@/lib/format";

/**
 * A point in time as every page writes it: local with the zone, the exact UTC instant on hover. The server renders
 * in its own zone, so the text may change at hydration (suppressed: the instant is the same).
 */
export function Time({ ts, className }: { ts: number | string | Date; className?: string }) {
  const d = new Date(ts);
  const valid = !Number.isNaN(d.getTime());
  return (
    <time
      dateTime={valid ? d.toISOString() : undefined}
      title={fmtUtc(ts)}
      className={className}
      suppressHydrationWarning
    >
      {fmtClock(ts)}
    </time>
  );
}
