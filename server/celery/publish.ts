import "server-only";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

// kombu's Redis message envelope and Celery's task message (protocol 2), built in one place: pidbox requests and the
// retry of a failed task use it, and envelope.ts parses what it builds (a unit test reads each back).
// Protocol 2 as celery/app/amqp.py as_task_v2 writes it: task fields in headers, body = [args, kwargs, embed].

export function kombuEnvelope(
  body: unknown,
  delivery: { exchange: string; routingKey: string; priority?: number; deliveryTag?: string },
  headers: Record<string, unknown>,
  properties: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body), "utf8").toString("base64"),
    "content-encoding": "utf-8",
    "content-type": "application/json",
    headers,
    properties: {
      ...properties,
      delivery_mode: 2,
      delivery_info: { exchange: delivery.exchange, routing_key: delivery.routingKey },
      priority: delivery.priority ?? 0,
      body_encoding: "base64",
      delivery_tag: delivery.deliveryTag ?? randomUUID(),
    },
  });
}

export interface TaskToPublish {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The queue (routing key on the default exchange, as Celery's default direct routing). */
  queue: string;
  /** A new task id (uuid4, as Celery makes them) unless given. */
  id?: string;
  priority?: number;
  /** The failed task this one repeats: kept as parent_id so the chain of attempts can be followed. */
  parentId?: string | null;
}

/** A Celery protocol 2 task message as kombu would LPUSH it; returns the raw text and the ids it carries. */
export function taskMessage(t: TaskToPublish): { raw: string; id: string; deliveryTag: string } {
  const id = t.id ?? randomUUID();
  const deliveryTag = randomUUID();
  const headers = {
    lang: "py",
    task: t.name,
    id,
    shadow: null,
    eta: null,
    expires: null,
    group: null,
    group_index: null,
    retries: 0,
    timelimit: [null, null],
    root_id: id,
    parent_id: t.parentId ?? null,
    argsrepr: safeRepr(t.args),
    kwargsrepr: safeRepr(t.kwargs),
    origin: `leakwatch@${hostname()}`,
    ignore_result: false,
  };
  const body = [t.args, t.kwargs, { callbacks: null, errbacks: null, chain: null, chord: null }];
  const raw = kombuEnvelope(
    body,
    { exchange: "", routingKey: t.queue, priority: t.priority ?? 0, deliveryTag },
    headers,
    { correlation_id: id, reply_to: null },
  );
  return { raw, id, deliveryTag };
}

/** argsrepr/kwargsrepr are for display (Celery truncates its repr too); JSON keeps it readable here. */
function safeRepr(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 1024 ? `${s.slice(0, 1021)}...` : s;
}
