"use client";
import type { QueueSummary } from "@/server/schemas/queues";

export interface QueueActionsProps { broker: string; queue: string; summary: QueueSummary }

// filled by the actions work (issue 5)
export function QueueActions(_props: QueueActionsProps) {
  return null;
}
