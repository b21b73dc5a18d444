// test-only: shared bits of the queue-ops integration tests (a private broker namespace per test,
// reading Celery envelopes, counting markers that tasks.record wrote).
import Redis from "ioredis";
import { afterEach } from "vitest";
import { closeAllBrokers } from "@/server/celery/connections";
import { resetSamplerState } from "@/server/celery/sampler";
import { RUN_ID, deleteBrokerKeys, recordedMarkers, stopAllProcesses, testRedisUrl } from "@/server/testing/harness";
import { DEFAULT_LAYOUT } from "@/server/celery/kombu-keys";
import { consumeOrder, stepListKey, type QueueLayout } from "@/server/queue-ops/keys";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "");
// db 1 (broker) and db 2 (markers) as the harness uses; other suites flush those dbs in their
// set-up, so when several suites run at once on one machine, point these tests at other dbs.
const BROKER_DB = Number(process.env.LEAKWATCH_QUEUE_OPS_TEST_DB ?? 1);
const RECORD_DB = Number(process.env.LEAKWATCH_QUEUE_OPS_RECORD_DB ?? 2);
let n = 0;

export interface Namespace extends QueueLayout {
  redis: Redis;
  /** Env for workers and producers: this namespace's global_keyprefix. */
  env: (extra?: Record<string, unknown>) => Record<string, string>;
  markerPrefix: string;
  cleanup(): Promise<void>;
}

export async function namespace(): Promise<Namespace> {
  const id = `${tag}n${++n}`;
  const prefix = `lwqo-${id}:`;
  const prioritySteps = [0, 3, 6, 9];
  const redis = new Redis(testRedisUrl(BROKER_DB), { maxRetriesPerRequest: 2 });
  return {
    ...DEFAULT_LAYOUT,
    redis,
    prefix,
    prioritySteps,
    markerPrefix: `qo-${id}`,
    env: (extra = {}) => ({
      BROKER_URL: testRedisUrl(BROKER_DB),
      RECORD_REDIS_URL: testRedisUrl(RECORD_DB),
      BROKER_TRANSPORT_OPTIONS: JSON.stringify({ global_keyprefix: prefix, priority_steps: prioritySteps, ...extra }),
    }),
    async cleanup() {
      redis.disconnect();
      await deleteBrokerKeys(prefix, BROKER_DB);
    },
  };
}

export interface Envelope {
  headers: { task: string; id: string; redelivered?: boolean };
  properties: { priority?: number; delivery_tag: string; delivery_info: { redelivered?: boolean } };
  body: string;
}

export const parse = (raw: string) => JSON.parse(raw) as Envelope;
/** The first positional argument of a protocol-2 Celery message (the marker of tasks.record). */
export const firstArg = (e: Envelope) =>
  (JSON.parse(Buffer.from(e.body, "base64").toString("utf8")) as [unknown[]])[0][0] as string;

/** Raw messages per priority step, consumer end first. */
export async function byStep(ns: Namespace, queue: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const s of consumeOrder(ns.prioritySteps))
    out[String(s)] = (await ns.redis.lrange(stepListKey(ns, queue, s), 0, -1)).reverse();
  return out;
}

export const all = (m: Record<string, string[]>) => Object.values(m).flat();

/** The message text with its delivery_info left out: what a move must keep byte for byte. */
export const exceptRoute = (raw: string) => raw.replace(/"delivery_info": \{[^{}]*\}/, '"delivery_info": *');
export const exceptRoutes = (m: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.map(exceptRoute)]));
/** Where kombu would redeliver the message: its delivery_info's exchange and routing key. */
export const routeOf = (raw: string) => {
  const di = (JSON.parse(raw) as { properties: { delivery_info: { exchange: string; routing_key: string } } })
    .properties.delivery_info;
  return `${di.exchange}/${di.routing_key}`;
};

export async function markersWith(prefix: string): Promise<string[]> {
  return (await recordedMarkers(RECORD_DB)).filter((m) => m.startsWith(`${prefix}-`));
}

export function expectedMarkers(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`).sort();
}

/**
 * A private namespace per test and the clean-up every queue test needs after it: Celery processes killed, the
 * namespace's keys deleted, and with `sampler`, broker connections closed and the sampler's state reset. Call at the
 * top level of a test file; each test then calls the returned function for its namespace.
 */
export function celeryTestNamespace(o: { sampler?: boolean } = {}): () => Promise<Namespace> {
  let current: Namespace | undefined;
  afterEach(async () => {
    await stopAllProcesses("SIGKILL");
    if (o.sampler) {
      closeAllBrokers();
      resetSamplerState();
    }
    await current?.cleanup();
    current = undefined;
  });
  return async () => (current = await namespace());
}
