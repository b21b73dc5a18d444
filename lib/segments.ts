// URL path segments for hosts, container ids, brokers and queue names. Next.js hands dynamic params to
// pages percent-encoded (it re-encodes with encodeURIComponent), so encode/decode here are exact inverses.

export function encodeSegment(value: string): string {
  return encodeURIComponent(value);
}

/** Decodes one route param; a malformed escape (a hand-typed URL) is kept literally instead of throwing. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function containerHref(host: string, id: string): string {
  return `/containers/${encodeSegment(host)}/${encodeSegment(id)}`;
}

export function queueHref(broker: string, queue: string): string {
  return `/queues/${encodeSegment(broker)}/${encodeSegment(queue)}`;
}

export function workerHref(broker: string, hostname: string): string {
  return `/workers/${encodeSegment(broker)}/${encodeSegment(hostname)}`;
}

/** The Failures page filtered by exact fields (broker, queue, worker, task, exc, status). */
export function failuresHref(filters: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/failures?${s}` : "/failures";
}

export function taskHref(broker: string, task: string): string {
  return `/tasks/${encodeSegment(broker)}/${encodeSegment(task)}`;
}
