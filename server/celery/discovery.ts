import "server-only";
import type Redis from "ioredis";
import {
  BINDING_PREFIX,
  DEFAULT_LAYOUT,
  nameFromBytes,
  pidboxExchange,
  replyExchange,
  type KombuLayout,
} from "./kombu-keys";

// Which queues exist: configured names, queues bound in kombu's binding sets (found with SCAN, never
// KEYS), and queues live workers consume. Each queue records where its name came from.

export type QueueOrigin = "configured" | "binding" | "worker";

export interface Binding {
  routingKey: string;
  pattern: string;
  queue: string;
}

/** exchange -> bindings, as kombu's get_table() sees them. */
export type BindingTable = Map<string, Binding[]>;

export interface DiscoveredQueue {
  name: string;
  origins: QueueOrigin[];
}

const SCAN_COUNT = 1000;

type ControlNames = Pick<KombuLayout, "controlExchange" | "eventExchange">;

// kombu's own control plumbing: pidbox mailboxes (`<host>.<control>.pidbox`), pidbox replies
// (`<oid>.reply.<control>.pidbox`) and event receivers (`celeryev.<uuid>`) are not task queues.
function isControlExchange(exchange: string, names: ControlNames): boolean {
  return (
    exchange === pidboxExchange(names as KombuLayout) ||
    exchange === replyExchange(names as KombuLayout) ||
    exchange === names.eventExchange
  );
}

function isControlQueue(name: string, names: ControlNames = DEFAULT_LAYOUT): boolean {
  return (
    name.endsWith(`.${pidboxExchange(names as KombuLayout)}`) || /\.pidbox$/.test(name) || /^celeryev\./.test(name)
  );
}

/** Escapes glob metacharacters so a global_keyprefix is matched literally by SCAN MATCH. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A binding set member split on sep, as kombu's get_table does (str.split: every occurrence). */
export function splitMember(raw: Buffer, sep: Buffer): Binding | null {
  const parts: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = raw.indexOf(sep, from);
    if (at < 0) break;
    parts.push(raw.subarray(from, at));
    from = at + sep.length;
  }
  parts.push(raw.subarray(from));
  if (parts.length !== 3) return null;
  const [rk, pattern, queue] = parts as [Buffer, Buffer, Buffer];
  return { routingKey: nameFromBytes(rk), pattern: nameFromBytes(pattern), queue: nameFromBytes(queue) };
}

/** Reads every `<prefix>_kombu.binding.*` set with SCAN + pipelined SMEMBERS. */
export async function readBindings(redis: Redis, layout: Pick<KombuLayout, "prefix" | "sep">): Promise<BindingTable> {
  const { prefix } = layout;
  const sep = Buffer.from(layout.sep, "utf8");
  const keyPrefix = Buffer.from(prefix + BINDING_PREFIX, "utf8");
  const keys: Buffer[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scanBuffer(
      cursor,
      "MATCH",
      `${globEscape(prefix)}${BINDING_PREFIX}*`,
      "COUNT",
      SCAN_COUNT,
    );
    cursor = next.toString();
    keys.push(...batch);
  } while (cursor !== "0");

  const table: BindingTable = new Map();
  const unique = [...new Map(keys.map((k) => [k.toString("base64"), k])).values()];
  if (unique.length === 0) return table;
  const pipe = redis.pipeline();
  for (const k of unique) pipe.smembersBuffer(k);
  const results = (await pipe.exec()) ?? [];
  unique.forEach((key, i) => {
    const [err, members] = results[i] ?? [null, []];
    if (err || !Array.isArray(members)) return; // a key of another type: not kombu's
    const exchange = nameFromBytes(key.subarray(keyPrefix.length));
    const bindings = (members as Buffer[]).map((m) => splitMember(m, sep)).filter((b): b is Binding => b !== null);
    table.set(exchange, bindings);
  });
  return table;
}

/** Queue names bound to task exchanges (control exchanges left out). */
export function boundQueues(table: BindingTable, names: ControlNames = DEFAULT_LAYOUT): string[] {
  const out = new Set<string>();
  for (const [exchange, bindings] of table) {
    if (isControlExchange(exchange, names)) continue;
    for (const b of bindings) if (b.queue && !isControlQueue(b.queue, names)) out.add(b.queue);
  }
  return [...out];
}

/**
 * kombu's TopicExchange.key_to_pattern: every word but `*` and `#` escaped, `*` -> `.*?[^\.]`, `#` -> `.*?`,
 * words joined by `\.`, anchored. Not AMQP's semantics: `a.*` matches `a.b.c`, and `a.#` does not match `a`.
 */
export function kombuTopicRegex(routingKey: string): string {
  const words = routingKey
    .split(".")
    .map((w) => (w === "*" ? ".*?[^\\.]" : w === "#" ? ".*?" : w.replace(/[\\^$+?()[\]{}|]/g, "\\$&")));
  return `^${words.join("\\.")}$`;
}

/** Whether a topic binding key matches a routing key, as kombu's TopicExchange does. */
export function topicMatch(bindingKey: string, routingKey: string): boolean {
  return new RegExp(kombuTopicRegex(bindingKey), "u").test(routingKey);
}

/**
 * kombu's exchange types (kombu/transport/virtual/exchange.py STANDARD_EXCHANGE_TYPES). kombu keeps an exchange's type
 * only in the declaring process (Channel.typeof: state.exchanges, 'direct' when that process never declared it); the
 * binding set in Redis holds routing_key/pattern/queue for every type alike. So the type has to come from outside
 * Redis: live workers' active_queues replies, or the broker's `exchange_types` config.
 */
const EXCHANGE_TYPES = ["direct", "topic", "fanout"] as const;
export type ExchangeType = (typeof EXCHANGE_TYPES)[number];
/** exchange name -> type; an exchange not in it is of unknown type. */
export type ExchangeTypes = ReadonlyMap<string, ExchangeType>;

export const isExchangeType = (v: unknown): v is ExchangeType =>
  typeof v === "string" && (EXCHANGE_TYPES as readonly string[]).includes(v);

/**
 * The types routing uses: what live workers reported (they are what kombu itself routes by), the broker's
 * `exchange_types` config for exchanges no worker reported; a disagreement is returned for the broker's warnings.
 */
export function resolveExchangeTypes(
  configured: Readonly<Record<string, ExchangeType>> | undefined,
  learnt: ExchangeTypes,
): { types: Map<string, ExchangeType>; conflicts: string[] } {
  const types = new Map<string, ExchangeType>(Object.entries(configured ?? {}));
  const conflicts: string[] = [];
  for (const [name, type] of learnt) {
    const said = types.get(name);
    if (said !== undefined && said !== type)
      conflicts.push(`exchange ${name} is ${type} in a worker's declaration but ${said} in exchange_types`);
    types.set(name, type);
  }
  return { types, conflicts };
}

/**
 * A binding's stored regex matched as TopicExchange._match does: Python's re.match, anchored at the start only (kombu
 * stores key_to_pattern's `^...$`; an empty pattern, left by a process that bound the queue without knowing the
 * exchange is a topic, matches every key there too). Ours from the routing key when the stored one will not compile.
 */
function bindingRegex(b: Binding): RegExp {
  try {
    return new RegExp(`^(?:${b.pattern})`, "u");
  } catch {
    return new RegExp(kombuTopicRegex(b.routingKey), "u");
  }
}

/**
 * The queues a message (exchange, routing key) is routed to, like kombu's Channel._lookup with Redis's default of no
 * dead-letter queue: the anonymous exchange routes by queue name; then by the exchange's type as kombu's exchange
 * classes do: fanout to every bound queue (FanoutExchange.lookup), direct by exact key (DirectExchange.lookup), topic by
 * each binding's stored pattern (TopicExchange.lookup). An exchange of unknown type (no live worker declared it, no
 * config names it) is guessed from Redis alone: topic when its bindings carry a pattern (kombu stores one only for
 * topic bindings), else direct. Nothing matching means [] (kombu drops such a message on restore): callers show it as
 * unroutable.
 */
export function lookupQueues(
  table: BindingTable,
  exchange: string,
  routingKey: string,
  types: ExchangeTypes = new Map(),
): string[] {
  if (!exchange) return routingKey ? [routingKey] : [];
  const bindings = table.get(exchange) ?? [];
  const type = types.get(exchange) ?? (bindings.some((b) => b.pattern !== "") ? "guess-topic" : "direct");
  const hits =
    type === "fanout"
      ? bindings
      : type === "topic"
        ? bindings.filter((b) => bindingRegex(b).test(routingKey))
        : type === "guess-topic"
          ? bindings.filter((b) => b.pattern !== "" && bindingRegex(b).test(routingKey))
          : bindings.filter((b) => b.routingKey === routingKey);
  return [...new Set(hits.map((b) => b.queue).filter(Boolean))];
}

/**
 * Queues bound to an exchange known to be fanout -> that exchange. kombu's Redis transport consumes such a queue over
 * pub/sub (Channel.basic_consume puts it in active_fanout_queues, which active_queues and so BRPOP leave out): nothing
 * ever reads its LIST, so a message in it (kombu's own restore puts one there) is never delivered.
 */
export function fanoutQueues(
  table: BindingTable,
  types: ExchangeTypes,
  names: ControlNames = DEFAULT_LAYOUT,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [exchange, bindings] of table) {
    if (types.get(exchange) !== "fanout" || isControlExchange(exchange, names)) continue;
    for (const b of bindings) if (b.queue && !out.has(b.queue)) out.set(b.queue, exchange);
  }
  return out;
}

/** Union of configured, bound and worker-consumed queues, each with its origins, sorted by name. */
export function mergeQueues(
  configured: readonly string[],
  bound: readonly string[],
  consumed: readonly string[],
  control: ControlNames = DEFAULT_LAYOUT,
): DiscoveredQueue[] {
  const byName = new Map<string, Set<QueueOrigin>>();
  const add = (names: readonly string[], origin: QueueOrigin) => {
    for (const n of names) {
      if (isControlQueue(n, control)) continue;
      const set = byName.get(n) ?? new Set<QueueOrigin>();
      set.add(origin);
      byName.set(n, set);
    }
  };
  add(configured, "configured");
  add(bound, "binding");
  add(consumed, "worker");
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, origins]) => ({
      name,
      origins: (["configured", "binding", "worker"] as const).filter((o) => origins.has(o)),
    }));
}
