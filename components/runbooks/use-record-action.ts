"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { RunResponse } from "@/server/schemas/actions";
import { sendJson } from "@/lib/api";

// After an action dialog finishes, link its audit id to the run (the server reads the outcome from the audit log).
export function useRecordAction(runId: string) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const onDone = useCallback(
    (r: RunResponse) => {
      setError(null);
      sendJson(`/api/runbooks/${runId}/actions`, { auditId: r.auditId })
        .then(() => qc.invalidateQueries({ queryKey: ["runbook", runId] }))
        .catch((e: Error) =>
          setError(`The action ran (audit ${r.auditId}) but could not be linked to this run: ${e.message}`),
        );
    },
    [qc, runId],
  );
  return { onDone, error };
}
