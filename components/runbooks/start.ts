"use client";
import { sendJson } from "@/lib/api";
import type { RunbookRun, StartRunbookResponse } from "@/server/schemas/runbooks";

// Starts a run, or joins the open one for the same target; callers navigate to it.
export async function startRunbook(
  body:
    | { alertId: string }
    | { kind: "thread-leak"; target: { host: string; id: string } }
    | { kind: "queue-backlog"; target: { broker: string; queue: string } },
): Promise<RunbookRun> {
  return (await sendJson<StartRunbookResponse>("/api/runbooks", body)).run;
}
