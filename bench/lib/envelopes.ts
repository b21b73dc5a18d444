// Real kombu payloads captured from Celery 5.2 (server/celery/__fixtures__), copied many times for volume: only the
// task id, delivery tag, routing key and priority are rewritten per copy, in place, so the bytes keep Python's
// json.dumps layout and size. Generating 10,000 queues or 100,000 unacked entries with Celery itself would take
// far longer than the measurement.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../server/celery/__fixtures__");

export interface Template {
  name: string;
  raw: string;
  id: string;
  tag: string;
  routingKey: string;
  unacked: boolean;
}

export function loadTemplate(name: string): Template {
  const { raw } = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as { raw: string };
  const parsed = JSON.parse(raw) as unknown;
  const unacked = Array.isArray(parsed);
  const message = (unacked ? parsed[0] : parsed) as {
    headers: { id: string };
    properties: { delivery_tag: string; delivery_info: { routing_key: string } };
  };
  return {
    name,
    raw,
    id: message.headers.id,
    tag: message.properties.delivery_tag,
    routingKey: message.properties.delivery_info.routing_key,
    unacked,
  };
}

/** A copy with a fresh id and tag, routed to `queue` with `priority`. */
export function copyOf(t: Template, queue: string, priority: number): { raw: string; id: string; tag: string } {
  const id = randomUUID();
  const tag = randomUUID();
  const rk = JSON.stringify(queue);
  let raw = t.raw.split(t.id).join(id).split(t.tag).join(tag);
  raw = raw
    .replace(`"routing_key": ${JSON.stringify(t.routingKey)}`, `"routing_key": ${rk}`)
    .replace(/"priority": \d+/, `"priority": ${priority}`);
  // An unacked entry is [message, exchange, routing_key]: the last element routes it too.
  if (t.unacked) raw = raw.replace(new RegExp(`, ${escape(JSON.stringify(t.routingKey))}\\]$`), `, ${rk}]`);
  return { raw, id, tag };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
