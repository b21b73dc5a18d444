import "server-only";
import type Redis from "ioredis";
import { redact } from "@/server/audit/redact";
import { ValidationError } from "@/server/errors";
import type { BrowsedMessage, MessagePageResponse, MessageQuery } from "@/server/schemas/messages";
import { parseEnvelope, type TaskMessage } from "./envelope";
import { nameToBytes, queueKey, type KombuLayout } from "./kombu-keys";

// Every message of a queue in the order kombu 5.2 delivers them: a worker BRPOPs the priority lists in
// priority_steps order (Channel._brpop_start), so the next message is the tail of the first non-empty list, then
// that list towards its head, then the next list. A page is a priority step and an offset from that list's tail.
// Producers LPUSH at the head, so they never shift an offset from the tail; workers pop the tail, which does. The
// cursor therefore carries the delivery tag of the last message shown, and the next page looks for it: found nearer
// the tail, the page continues right after it and says how many went meanwhile.

/**
 * A filtered page reads this many messages per LRANGE: each read is one bounded command (bench: 1,000 messages of
 * ~1 KB took up to 5 ms inside Redis, 500 keep it near 2.5 ms).
 */
const SCAN_CHUNK = 500;
/** How far towards the tail a moved anchor is looked for. */
const ANCHOR_SEARCH = 10_000;

interface Cursor {
  step: number;
  offset: number;
  /** Delivery tag of the message at offset - 1 (the last one the previous page looked at). */
  anchor: string | null;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.step, c.offset, c.anchor])).toString("base64url");
}

function decodeCursor(text: string, steps: readonly number[]): Cursor {
  try {
    const [step, offset, anchor] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    if (
      typeof step === "number" &&
      steps.includes(step) &&
      Number.isSafeInteger(offset) &&
      (offset as number) >= 0 &&
      (anchor === null || typeof anchor === "string")
    )
      return { step, offset: offset as number, anchor };
  } catch {
    // reported below
  }
  throw new ValidationError("cursor: not a cursor this queue's browser handed out (start again without it)");
}

/** The delivery tag inside a raw message, without a full parse (null when it has none or does not parse). */
export function tagOf(raw: Buffer): string | null {
  try {
    const tag = (JSON.parse(raw.toString("utf8")) as { properties?: { delivery_tag?: unknown } })?.properties
      ?.delivery_tag;
    return typeof tag === "string" ? tag : null;
  } catch {
    return null;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const TASK_KEY = Buffer.from('"task"');
const ARG_HEADERS = new Set(["argsrepr", "kwargsrepr"]);
const HIDDEN = "(hidden: task arguments are off)";

/** The envelope for the side panel: argument-bearing parts only when allowed, secret-looking keys redacted. */
function envelopeView(raw: Buffer, showArgs: boolean, parsed: boolean): BrowsedMessage["envelope"] {
  let json: Record<string, unknown> | null = null;
  try {
    const v = JSON.parse(strictUtf8.decode(raw)) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = null;
  }
  const headers = json?.headers && typeof json.headers === "object" ? (json.headers as Record<string, unknown>) : null;
  const properties =
    json?.properties && typeof json.properties === "object" ? (json.properties as Record<string, unknown>) : null;
  const view: BrowsedMessage["envelope"] = {
    headers: headers
      ? (redact(
          Object.fromEntries(
            Object.entries(headers).map(([k, v]) => [k, showArgs || !ARG_HEADERS.has(k) ? v : HIDDEN]),
          ),
        ) as Record<string, unknown>)
      : null,
    properties: properties ? (redact(properties) as Record<string, unknown>) : null,
    contentType: typeof json?.["content-type"] === "string" ? json["content-type"] : null,
    contentEncoding: typeof json?.["content-encoding"] === "string" ? json["content-encoding"] : null,
    body: showArgs ? decodedBody(json) : HIDDEN,
  };
  if (!parsed && showArgs) {
    try {
      view.raw = { encoding: "utf8", text: strictUtf8.decode(raw) };
    } catch {
      view.raw = { encoding: "base64", text: raw.toString("base64") };
    }
  }
  return view;
}

function decodedBody(json: Record<string, unknown> | null): unknown {
  if (!json || typeof json.body !== "string") return null;
  const props = json.properties as { body_encoding?: unknown } | undefined;
  const text = props?.body_encoding === "base64" ? Buffer.from(json.body, "base64").toString("utf8") : json.body;
  try {
    return redact(JSON.parse(text));
  } catch {
    return text;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface BrowseOptions {
  showArgs: boolean;
  /** When the console first saw a message id at the queue's head (the sampler's memory), if it did. */
  firstSeenMs?: (id: string) => number | null;
  /** Each task message a page parsed, as stored (the console keeps messages it saw, server/failures/seen.ts). */
  onMessage?: (raw: Buffer, m: TaskMessage) => void;
}

type PageBody = Omit<MessagePageResponse, "broker" | "queue" | "args" | "textFilterIgnored">;

export async function readMessagePage(
  redis: Redis,
  layout: KombuLayout,
  queue: string,
  q: MessageQuery,
  opts: BrowseOptions,
): Promise<PageBody> {
  const steps = layout.prioritySteps;
  const name = nameToBytes(queue);
  const keys = steps.map((s) => queueKey(layout, name, s));
  const lengths = await Promise.all(keys.map((k) => redis.llen(k)));
  const before = (i: number) => lengths.slice(0, i).reduce((a, b) => a + b, 0);
  const text = opts.showArgs ? q.text : undefined;
  const task = q.task?.toLowerCase();
  const asciiTask = task && /^[\x20-\x7e]+$/.test(task) && !/["\\]/.test(task) ? task : null;
  const filtered = Boolean(task || q.id || text);

  let cursorNote: string | null = null;
  let si = 0;
  let offset = 0;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, steps);
    si = steps.indexOf(c.step);
    offset = c.offset;
    if (c.anchor && offset > 0) {
      const found = await findAnchor(redis, keys[si] as Buffer, c.anchor, offset);
      if (found === null)
        cursorNote =
          "The last message of the previous page has left the queue (a worker took it or it was moved); this page continues at the same offset, so some messages may be skipped.";
      else if (found !== offset - 1) {
        cursorNote = `${offset - 1 - found} messages ahead of the previous page left the queue meanwhile (workers took them or they were moved); this page continues right after the last message shown.`;
        offset = found + 1;
      }
    }
  }

  const messages: BrowsedMessage[] = [];
  let searched = 0;
  // The last message looked at: its tag anchors the next page.
  let lastRaw: Buffer | null = null;
  while (si < steps.length && messages.length < q.limit && (!filtered || searched < q.scan)) {
    const want = filtered ? Math.min(SCAN_CHUNK, q.scan - searched) : q.limit - messages.length;
    const items = (await redis.lrangeBuffer(keys[si] as Buffer, -(offset + want), -(offset + 1))).reverse();
    let used = 0;
    for (const raw of items) {
      used++;
      searched++;
      // An id filter skips the parse of every message that cannot hold the id.
      lastRaw = raw;
      if (q.id && !raw.includes(q.id)) continue;
      // Same for a plain-ASCII task filter on a message that carries "task" in clear (protocol 2 headers; protocol 1
      // keeps it in a base64 body): JSON writes such a name as is, so a message without it in its text cannot match.
      if (asciiTask && raw.includes(TASK_KEY) && !raw.toString("latin1").toLowerCase().includes(asciiTask)) continue;
      const row = toRow(raw, steps[si] as number, offset + used - 1, before(si), opts);
      if (!matches(row, { task, id: q.id, text })) continue;
      row.envelope = envelopeView(raw, opts.showArgs, row.parseError === null);
      messages.push(row);
      if (messages.length >= q.limit) break;
    }
    offset += used;
    if (used === items.length && items.length < want) {
      si++;
      offset = 0;
      lastRaw = null;
    }
  }
  const reachedEnd = si >= steps.length;
  return {
    depth: lengths.reduce((a, b) => a + b, 0),
    byStep: steps.map((step, i) => ({ step, length: lengths[i] ?? 0 })),
    messages,
    nextCursor: reachedEnd
      ? null
      : encodeCursor({ step: steps[si] as number, offset, anchor: lastRaw ? tagOf(lastRaw) : null }),
    searched,
    reachedEnd,
    cursorNote,
  };
}

/** Offset from the tail of the message with this tag, looked for at and below `offset - 1`; null when gone. */
async function findAnchor(redis: Redis, key: Buffer, tag: string, offset: number): Promise<number | null> {
  const at = await redis.lindexBuffer(key, -offset);
  if (at && tagOf(at) === tag) return offset - 1;
  const low = Math.max(0, offset - ANCHOR_SEARCH);
  const window = (await redis.lrangeBuffer(key, -offset, -(low + 1))).reverse();
  const needle = Buffer.from(tag, "utf8");
  const i = window.findIndex((raw) => raw.includes(needle) && tagOf(raw) === tag);
  return i < 0 ? null : low + i;
}

function toRow(raw: Buffer, step: number, offset: number, ahead: number, opts: BrowseOptions): BrowsedMessage {
  const parsed = parseEnvelope(raw);
  const m = parsed.ok ? parsed.value : null;
  if (m) opts.onMessage?.(raw, m);
  const row: BrowsedMessage = {
    position: ahead + offset,
    step,
    offset,
    deliveryTag: m?.deliveryTag ?? tagOf(raw),
    task: m?.task ?? null,
    id: m?.id ?? null,
    priority: m?.priority ?? null,
    retries: m?.retries ?? null,
    eta: iso(m?.etaMs ?? null),
    expires: iso(m?.expiresMs ?? null),
    redelivered: m?.redelivered ?? null,
    rootId: m?.rootId ?? null,
    parentId: m?.parentId ?? null,
    sizeBytes: raw.length,
    firstSeen: m?.id && opts.firstSeenMs ? iso(opts.firstSeenMs(m.id)) : null,
    parseError: parsed.ok ? null : `${parsed.error.code}: ${parsed.error.message}`,
    // Filled in for the rows that are shown (building it for every scanned message would dominate a search).
    envelope: { headers: null, properties: null, contentType: null, contentEncoding: null, body: null },
  };
  if (opts.showArgs) row.argsPreview = m ? [m.argsRepr, m.kwargsRepr].filter((s) => s !== null).join(" ") : null;
  return row;
}

function matches(row: BrowsedMessage, f: { task?: string; id?: string; text?: string }): boolean {
  if (f.id && row.id !== f.id) return false;
  if (f.task && !(row.task ?? "").toLowerCase().includes(f.task)) return false;
  if (f.text && !(row.argsPreview ?? "").includes(f.text)) return false;
  return true;
}
