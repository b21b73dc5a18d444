"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useSession } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import { fmtInt } from "@/lib/format";
import type { ActionProgress } from "@/server/schemas/actions";

// While a long action runs (a queue move), the server pushes its progress over SSE into ["action-progress"];
// this shows the caller's own run of this action and lets them cancel it between batches.
export function ActionProgressLine({ action }: { action: string }) {
  const { username } = useSession();
  const { data } = useQuery<ActionProgress | null>({
    queryKey: ["action-progress"],
    queryFn: () => null,
    enabled: false,
    initialData: null,
  });
  const [cancelled, setCancelled] = useState(false);
  const mine = data && data.action === action && data.actor === username ? data : null;
  if (!mine) return null;
  return (
    <div className="flex items-center gap-3 text-sm" role="status" data-testid="action-progress">
      <span className="tabular-nums">
        {fmtInt(mine.done)}
        {mine.total !== null ? ` of ${fmtInt(mine.total)}` : ""} done{mine.note ? ` (${mine.note})` : ""}
      </span>
      <button
        type="button"
        disabled={cancelled}
        className="rounded border border-red-600/60 px-2 py-0.5 text-xs text-red-700 disabled:opacity-50 dark:text-red-300"
        onClick={() => {
          setCancelled(true);
          void sendJson(`/api/actions/${encodeURIComponent(mine.auditId)}/cancel`, {}).catch(() => setCancelled(false));
        }}
      >
        {cancelled ? "Cancelling…" : "Cancel"}
      </button>
    </div>
  );
}
