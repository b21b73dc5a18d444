import "server-only";

// A moved message must belong to the queue it is in now. kombu does not remember which list a worker popped a
// message from: QoS.append stores the message's own properties.delivery_info (exchange, routing_key) in the
// unacked entry, and restore_by_tag / restore_visible / _restore redeliver through Channel._lookup(exchange,
// routing_key). So a message moved from A to B but still saying exchange A, routing key A goes back to A when
// the worker that took it from B dies. Before a message lands in another queue we point its delivery_info at
// the anonymous exchange with the new queue's name as routing key, which kombu's _lookup always routes to exactly
// that queue (`if not exchange: return [routing_key]`), whatever bindings and exchange types exist.
//
// Only the text of properties.delivery_info is replaced; every other byte of the message (body, headers, the
// rest of properties) stays as it was, so nothing Python parses differently (floats such as 1.0) is re-serialised.

export interface Retargeted {
  raw: Buffer;
  /** false: left as it was (not JSON, no properties.delivery_info, or a queue name that is not UTF-8). */
  changed: boolean;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Index just past the JSON value starting at i (whitespace skipped first); -1 when malformed. */
function skipValue(s: string, i: number): number {
  i = skipWs(s, i);
  const c = s[i];
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    i = skipWs(s, i + 1);
    if (s[i] === close) return i + 1;
    for (;;) {
      if (c === "{") {
        i = skipString(s, skipWs(s, i));
        if (i < 0) return -1;
        i = skipWs(s, i);
        if (s[i] !== ":") return -1;
        i++;
      }
      i = skipValue(s, i);
      if (i < 0) return -1;
      i = skipWs(s, i);
      if (s[i] === ",") {
        i++;
        continue;
      }
      return s[i] === close ? i + 1 : -1;
    }
  }
  if (c === '"') return skipString(s, i);
  const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(s.slice(i, i + 400));
  return m ? i + m[0].length : -1;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\n" || s[i] === "\r" || s[i] === "\t")) i++;
  return i;
}

function skipString(s: string, i: number): number {
  if (s[i] !== '"') return -1;
  for (i++; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i + 1;
  }
  return -1;
}

/** [start, end) of the value at `path` (object keys only) in the JSON text, or null. Duplicate keys: the last wins, as in Python. */
export function valueSpan(s: string, path: readonly string[]): [number, number] | null {
  let i = skipWs(s, 0);
  let span: [number, number] | null = null;
  for (let depth = 0; depth < path.length; depth++) {
    if (s[i] !== "{") return null;
    i = skipWs(s, i + 1);
    let found: [number, number] | null = null;
    if (s[i] !== "}") {
      for (;;) {
        const keyEnd = skipString(s, i);
        if (keyEnd < 0) return null;
        const key = JSON.parse(s.slice(i, keyEnd)) as string;
        i = skipWs(s, keyEnd);
        if (s[i] !== ":") return null;
        const start = skipWs(s, i + 1);
        const end = skipValue(s, start);
        if (end < 0) return null;
        if (key === path[depth]) found = [start, end];
        i = skipWs(s, end);
        if (s[i] === ",") {
          i = skipWs(s, i + 1);
          continue;
        }
        if (s[i] !== "}") return null;
        break;
      }
    }
    if (!found) return null;
    span = found;
    i = found[0];
  }
  return span;
}

/** The message with properties.delivery_info routed to `queue` (anonymous exchange, routing key = queue). */
export function retarget(raw: Buffer, queue: Buffer): Retargeted {
  let text: string;
  let queueName: string;
  try {
    text = strictUtf8.decode(raw);
    queueName = strictUtf8.decode(queue);
  } catch {
    return { raw, changed: false };
  }
  const span = valueSpan(text, ["properties", "delivery_info"]);
  if (!span) return { raw, changed: false };
  let info: unknown;
  try {
    info = JSON.parse(text.slice(span[0], span[1]));
  } catch {
    return { raw, changed: false };
  }
  if (!info || typeof info !== "object" || Array.isArray(info)) return { raw, changed: false };
  const next = { ...(info as Record<string, unknown>), exchange: "", routing_key: queueName };
  // Written as Python's json.dumps writes it (", " and ": "), like the rest of a kombu message.
  const json = `{${Object.entries(next)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(", ")}}`;
  const out = text.slice(0, span[0]) + json + text.slice(span[1]);
  return { raw: Buffer.from(out, "utf8"), changed: true };
}

/** headers.task of a protocol-2 Celery message, or null. */
export function taskOf(raw: Buffer): string | null {
  try {
    const msg = JSON.parse(raw.toString("utf8")) as { headers?: { task?: unknown } };
    return typeof msg?.headers?.task === "string" ? msg.headers.task : null;
  } catch {
    return null;
  }
}
