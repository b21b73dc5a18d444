"use client";
import type { WorkerSummary } from "@/server/schemas/queues";

export interface WorkerActionsProps { broker: string; hostname: string; worker: WorkerSummary }

// filled by the actions work (issue 5)
export function WorkerActions(_props: WorkerActionsProps) {
  return null;
}
