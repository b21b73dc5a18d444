"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { getJson } from "@/lib/api";
import { encodeSegment } from "@/lib/segments";
import type { MessagePageResponse } from "@/server/schemas/messages";

/** The browser's query string: filters and cursor, as GET /api/queues/{broker}/{queue}/messages takes them. */
export interface MessageFilters {
  task: string;
  id: string;
  text: string;
  cursor: string;
}

// One page of a queue's messages in delivery order. Not live: a page stays put while the operator reads it, and the
// next page says if the queue moved meanwhile.
export function useQueueMessages(broker: string, queue: string, f: MessageFilters) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) qs.set(k, v);
  const search = qs.toString();
  return useQuery({
    queryKey: ["queue-messages", broker, queue, search],
    queryFn: ({ signal }) =>
      getJson<MessagePageResponse>(
        `/api/queues/${encodeSegment(broker)}/${encodeSegment(queue)}/messages${search ? `?${search}` : ""}`,
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}
