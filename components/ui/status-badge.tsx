import type { QueueStatus } from "@/server/schemas/queues";
import { STATUS_LABEL } from "@/lib/status";

const TONE: Record<QueueStatus, string> = {
  critical: "border-crit/60 bg-crit/15 text-red-700 dark:text-red-300",
  warn: "border-warn/60 bg-warn/15 text-amber-800 dark:text-amber-300",
  ok: "border-ok/50 bg-ok/10 text-emerald-800 dark:text-emerald-300",
  unknown: "border-zinc-400/60 bg-zinc-400/10 text-zinc-600 dark:text-zinc-400",
  idle: "border-zinc-400/60 bg-zinc-400/10 text-zinc-600 dark:text-zinc-400",
};
const DOT: Record<QueueStatus, string> = {
  critical: "bg-crit",
  warn: "bg-warn",
  ok: "bg-ok",
  unknown: "bg-zinc-400",
  idle: "bg-zinc-400",
};

// Colour plus a word, so status never rests on colour alone.
export function StatusBadge({ status, testId }: { status: QueueStatus; testId?: string }) {
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium ${TONE[status] ?? TONE.unknown}`}
    >
      <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${DOT[status] ?? DOT.unknown}`} />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}
