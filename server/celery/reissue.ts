import "server-only";
import { parseEnvelope, type TaskMessage } from "./envelope";

// A task message the console saw in a queue, re-issued as a new task: the same body (arguments, callbacks, chain)
// byte for byte, the same headers and priority, under a new task id. What changes is what a new publish of the same
// call changes in Celery protocol 2 (celery/app/amqp.py as_task_v2, kombu's virtual Channel._inplace_augment_message):
// - headers.id and properties.correlation_id: the new id (Celery sets both to the task id);
// - headers.root_id stays the workflow's root (the original's root, or the original itself when it had none) and
//   headers.parent_id is the failed task, as Celery's send_task sets them for a task published from inside another;
// - properties.delivery_tag: a new one (kombu makes one per publish; the unacked hash is keyed by it);
// - the redelivered marks kombu's restore adds are dropped (this is a new delivery, not a restored one);
// - eta and expires (and the expiration property Celery derives from expires) are cleared: the retry runs now, and
//   an expiry that has passed would make the worker revoke it;
// - headers.origin names the console as the producer.

export interface SeenFields {
  id: string;
  task: string;
  priority: number;
  exchange: string | null;
  routingKey: string | null;
}

/**
 * The fields the console keeps about a message it saw; null unless it is a Celery protocol 2 task message (a
 * protocol 1 message carries its id in the body, which a re-issue would have to rewrite, so it is not kept).
 */
export function seenFields(raw: string | Buffer): SeenFields | null {
  const m = parseEnvelope(raw);
  return m.ok ? fieldsOf(m.value) : null;
}

/** The same, from a message already parsed. */
export function fieldsOf(m: TaskMessage): SeenFields | null {
  if (m.protocol !== 2 || !m.id || !m.task) return null;
  return { id: m.id, task: m.task, priority: m.priority, exchange: m.exchange, routingKey: m.routingKey };
}

export interface Reissued {
  raw: string;
  id: string;
  deliveryTag: string;
  /** The id the message carried before. */
  was: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The envelope with a new id (see above). Throws on anything but a protocol 2 task message. */
export function reissueEnvelope(envelope: string, o: { id: string; deliveryTag: string; origin: string }): Reissued {
  const msg = JSON.parse(envelope) as unknown;
  if (!isObj(msg) || !isObj(msg.headers) || typeof msg.headers.id !== "string" || typeof msg.headers.task !== "string")
    throw new Error("not a Celery protocol 2 task message (no task and id in its headers)");
  const headers = msg.headers;
  const was = headers.id as string;
  const root = typeof headers.root_id === "string" && headers.root_id ? headers.root_id : was;
  // Assigned in place, so every header keeps its position in the JSON kombu wrote.
  headers.id = o.id;
  headers.root_id = root;
  headers.parent_id = was;
  if ("eta" in headers) headers.eta = null;
  if ("expires" in headers) headers.expires = null;
  headers.origin = o.origin;
  delete headers.redelivered;
  const props: Obj = isObj(msg.properties) ? msg.properties : (msg.properties = {});
  if ("correlation_id" in props) props.correlation_id = o.id;
  // Celery turns expires into the AMQP expiration property too (kombu's Redis transport ignores it): dropped with it.
  delete props.expiration;
  props.delivery_tag = o.deliveryTag;
  if (isObj(props.delivery_info)) delete props.delivery_info.redelivered;
  return { raw: JSON.stringify(msg), id: o.id, deliveryTag: o.deliveryTag, was };
}
