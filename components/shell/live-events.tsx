"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { HealthResponse } from "@/server/schemas/health";
import type { SourceState } from "@/server/schemas/sources";

// One EventSource per tab. Server-sent snapshots are written straight into the query cache,
// so every page that reads a resource re-renders within one sample interval without polling.
export function LiveEvents() {
  const qc = useQueryClient();
  useEffect(() => {
    const es = new EventSource("/api/events");
    const on = (topic: string, fn: (data: unknown) => void) =>
      es.addEventListener(topic, (ev) => {
        try {
          fn(JSON.parse((ev as MessageEvent<string>).data));
        } catch {
          /* a malformed frame is dropped; the next snapshot replaces it */
        }
      });
    on("sources", (d) =>
      qc.setQueryData<HealthResponse>(["health"], (old) => (old ? { ...old, sources: d as SourceState[] } : old)),
    );
    on("containers", (d) => qc.setQueryData(["containers"], d));
    on("queues", (d) => qc.setQueryData(["queues"], d));
    on("workers", (d) => qc.setQueryData(["workers"], d));
    on("progress", (d) => qc.setQueryData(["action-progress"], d));
    // Runbook and alert events carry no state, only "changed": on every (re)connect re-read them, so a change
    // made while this tab was not yet (or no longer) connected is not missed.
    es.addEventListener("open", () => {
      void qc.invalidateQueries({ queryKey: ["runbook"] });
      void qc.invalidateQueries({ queryKey: ["alerts"] });
    });
    on("alerts", () => void qc.invalidateQueries({ queryKey: ["alerts"] }));
    on("runbooks", (d) => {
      const id = (d as { id?: string } | null)?.id;
      void qc.invalidateQueries({ queryKey: id ? ["runbook", id] : ["runbook"] });
      void qc.invalidateQueries({ queryKey: ["runbooks"] });
    });
    on("invalidate", (d) => void qc.invalidateQueries({ queryKey: d as string[] }));
    return () => es.close();
  }, [qc]);
  return null;
}
