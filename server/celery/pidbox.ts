import "server-only";
import { randomUUID } from "node:crypto";
import type { BrokerConfig } from "@/server/config";
import { blockingPop, brokerDb, isSentinel, withBlockingConnection, withBroker } from "./connections";
import { decodeKombuBody } from "./envelope";
import { kombuEnvelope } from "./publish";
import {
  bindingKey,
  bindingMember,
  fanoutChannels,
  layoutOf,
  pidboxExchange,
  queueKey,
  replyExchange,
} from "./kombu-keys";
import { processState } from "@/server/process-state";

// Celery remote control over Redis, as kombu's pidbox Mailbox does it (celery/app/control.py, kombu/pidbox.py),
// for Celery's control_exchange name <ns> ("celery" by default) and the broker's kombu layout:
// - requests go to the fanout exchange `<ns>.pidbox`: PUBLISH on `<prefix><fanout prefix><ns>.pidbox`;
// - each call binds its own reply queue `<oid>.reply.<ns>.pidbox` to the direct exchange
//   `reply.<ns>.pidbox` (routing key <oid>, members joined by the broker's sep) BEFORE publishing, so workers
//   can route their replies (a member written with the wrong sep is unroutable for them);
// - workers LPUSH replies onto that queue; we wait for them as kombu's Mailbox._collect does: one blocking BRPOP
//   over the queue's priority lists per reply (kombu's Redis transport reads with BRPOP too), on a connection of the
//   call's own so the shared client is never blocked. The timeout applies to the wait for EACH reply
//   (drain_events(timeout) per message), so a slow worker that `celery inspect` would still hear is heard here too;
//   then the queue and binding go (kombu's after_reply_message_received deletes the reply queue).

export const DEFAULT_TIMEOUT_MS = 1_500;
/** However many replies keep trickling in, one call never waits longer than this many timeouts. */
const MAX_TIMEOUTS_PER_CALL = 10;
/** A reply racing our cleanup can land after DEL; a second sweep a little later removes it. */
const LATE_SWEEP_MS = 3_000;

export interface BroadcastOptions {
  /** Worker hostnames (e.g. "celery@host"); all workers when omitted. */
  destination?: string[];
  timeoutMs?: number;
  /** Stop waiting after this many replies (defaults to destination.length when given). */
  expectReplies?: number;
  /** false: fire and forget (shutdown, for example, never replies). */
  reply?: boolean;
  /** Called once the request is published (callers that need requests in a set order wait for it). */
  onPublished?: () => void;
}

/** Commands that only read a worker's state; any other may change what it consumes or runs. */
const READ_ONLY = new Set([
  "ping",
  "stats",
  "active_queues",
  "registered",
  "scheduled",
  "reserved",
  "active",
  "report",
  "conf",
  "query_task",
  "dump_revoked",
  "objgraph",
  "memsample",
  "memdump",
  "clock",
]);
const controlTimes = () => processState("celery/control-times", () => new Map<string, number>());
/**
 * When a command that is not a pure inspection was last sent to this broker's workers (ms since the epoch, 0 when
 * never): answers asked before it are stale, and so may be those asked just after it (Celery 5.2 applies
 * add_consumer on its event loop after replying).
 */
export const lastControlAt = (brokerName: string): number => controlTimes().get(brokerName) ?? 0;
/** Tests only: forget when commands were sent (a test's commands do not make the next test's rounds settle). */
export function forgetControlTimes(): void {
  controlTimes().clear();
}

/** hostname -> that worker's reply. */
export type Replies = Record<string, unknown>;

function envelope(body: unknown, exchange: string, headers: Record<string, unknown>): string {
  return kombuEnvelope(body, { exchange, routingKey: "" }, headers);
}

/**
 * Removes a call's reply binding and queues a little later (a reply racing the cleanup can land after it), and
 * keeps retrying while the broker is unavailable: a binding left behind by an outage would outlive its call.
 */
function sweepLater(broker: BrokerConfig, bindings: string, member: string, replyKeys: Buffer[], attempt = 0): void {
  setTimeout(
    () => {
      void withBroker(broker, async (r) => {
        await r.srem(bindings, member);
        await r.del(...replyKeys);
      }).catch(() => {
        if (attempt < 20) sweepLater(broker, bindings, member, replyKeys, attempt + 1);
      });
    },
    LATE_SWEEP_MS * Math.min(2 ** attempt, 20),
  ).unref();
}

export async function broadcast(
  broker: BrokerConfig,
  command: string,
  args: Record<string, unknown> = {},
  opts: BroadcastOptions = {},
): Promise<Replies> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!READ_ONLY.has(command)) controlTimes().set(broker.name, Date.now());
  const wantReply = opts.reply !== false;
  const limit = opts.expectReplies ?? (opts.destination?.length || Infinity);
  const layout = layoutOf(broker);
  const control = pidboxExchange(layout);
  const reply = replyExchange(layout);
  const oid = randomUUID();
  const ticket = randomUUID();
  const replyQueue = `${oid}.${reply}`;
  const replyKeys = layout.prioritySteps.map((s) => queueKey(layout, replyQueue, s));
  const member = bindingMember(layout, oid, "", replyQueue);
  const replyBindings = bindingKey(layout, reply);
  const channels = fanoutChannels(layout, brokerDb(broker), control, "", isSentinel(broker));
  const message = envelope(
    {
      method: command,
      arguments: args,
      destination: opts.destination ?? null,
      pattern: null,
      matcher: null,
      ...(wantReply ? { ticket, reply_to: { exchange: reply, routing_key: oid } } : {}),
    },
    control,
    // kombu's Mailbox._publish sends `expires` (epoch seconds) too. Workers do NOT drop an expired request: neither
    // celery/worker/pidbox.py's on_message nor kombu's Node.handle_message/dispatch look at it, so a request is run
    // whenever a worker reads it (but nobody waits for the answer any more). Only _collect reads `expires`, on
    // REPLIES (workers send ticket and clock, no expires, so in practice nothing is dropped there); we do the same.
    { clock: 1, expires: Date.now() / 1000 + timeoutMs / 1000 },
  );

  return withBroker(broker, async (redis) => {
    if (!wantReply) {
      for (const channel of channels) await redis.publish(channel, message);
      opts.onPublished?.();
      return {};
    }
    // Connected before the request goes out, so the first reply's wait is not spent connecting.
    return withBlockingConnection(broker, async (blocking) => {
      await redis.sadd(replyBindings, member);
      const replies: Replies = {};
      let count = 0;
      try {
        for (const channel of channels) await redis.publish(channel, message);
        opts.onPublished?.();
        const hardStop = Date.now() + timeoutMs * MAX_TIMEOUTS_PER_CALL;
        while (count < limit) {
          // As kombu's drain_events(timeout=...) per reply: every message read restarts the wait.
          const waitMs = Math.min(timeoutMs, hardStop - Date.now());
          if (waitMs <= 0) break;
          const popped = await blockingPop(blocking, replyKeys, waitMs);
          if (!popped) break;
          const decoded = decodeKombuBody(popped[1]);
          if (!decoded.ok || decoded.value.headers.ticket !== ticket) continue;
          const expires = Number(decoded.value.headers.expires);
          if (expires > 0 && Date.now() / 1000 > expires) continue; // as _collect's on_message
          const body = decoded.value.body;
          if (body && typeof body === "object" && !Array.isArray(body)) {
            for (const [host, reply] of Object.entries(body)) {
              replies[host] = reply;
              count++;
            }
          }
        }
        return replies;
      } finally {
        await redis.srem(replyBindings, member).catch(() => undefined);
        await redis.del(...replyKeys).catch(() => undefined);
        sweepLater(broker, replyBindings, member, replyKeys);
      }
    });
  });
}

// ---- typed commands (argument names as in celery/worker/control.py) ----
type Opts = Omit<BroadcastOptions, "reply">;

export const ping = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "ping", {}, o);
export const stats = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "stats", {}, o);
export const activeQueues = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "active_queues", {}, o);
export const active = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "active", { safe: true }, o);
export const reserved = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "reserved", {}, o);
export const scheduled = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "scheduled", {}, o);
export const poolGrow = (b: BrokerConfig, n: number, o: Opts = {}) => broadcast(b, "pool_grow", { n }, o);
export const poolShrink = (b: BrokerConfig, n: number, o: Opts = {}) => broadcast(b, "pool_shrink", { n }, o);
export const autoscale = (b: BrokerConfig, max: number, min: number, o: Opts = {}) =>
  broadcast(b, "autoscale", { max, min }, o);
export const addConsumer = (b: BrokerConfig, queue: string, o: Opts = {}) => broadcast(b, "add_consumer", { queue }, o);
export const cancelConsumer = (b: BrokerConfig, queue: string, o: Opts = {}) =>
  broadcast(b, "cancel_consumer", { queue }, o);
export const rateLimit = (b: BrokerConfig, taskName: string, rate: string, o: Opts = {}) =>
  broadcast(b, "rate_limit", { task_name: taskName, rate_limit: rate }, o);
export const revoke = (
  b: BrokerConfig,
  taskId: string | string[],
  terminate = false,
  signal = "SIGTERM",
  o: Opts = {},
) => broadcast(b, "revoke", { task_id: taskId, terminate, signal }, o);
/** The ids the worker holds as revoked. */
export const revoked = (b: BrokerConfig, o: Opts = {}) => broadcast(b, "revoked", {}, o);
/** Task events on or off until the worker restarts (enable_events / disable_events). */
export const setTaskEvents = (b: BrokerConfig, on: boolean, o: Opts = {}) =>
  broadcast(b, on ? "enable_events" : "disable_events", {}, o);
/** Workers exit before answering, so this never waits for replies; `msg` is what the worker logs. */
export const shutdown = (b: BrokerConfig, o: Pick<BroadcastOptions, "destination"> = {}, msg?: string) =>
  broadcast(b, "shutdown", msg === undefined ? {} : { msg }, { ...o, reply: false });
