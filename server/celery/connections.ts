import "server-only";
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import type { BrokerConfig, BrokerTls } from "@/server/config";
import { SourceUnavailableError, errorMessage } from "@/server/errors";
import { parseBrokerUrl, redactBrokerUrl, type ParsedBrokerUrl } from "./broker-url";

// One lazily created ioredis client per broker (plus one pub/sub client when asked for), kept on
// globalThis so hot reload and concurrent requests share them. Clients reconnect by themselves with a
// capped backoff; callers get a SourceUnavailableError instead of a hang or a dead socket.

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 3_000;
const MAX_BACKOFF_MS = 5_000;

interface Held {
  key: string;
  parsed: ParsedBrokerUrl;
  options: RedisOptions;
  client: Redis;
  subscriber: Redis | null;
  lastError: string | null;
}

const g = globalThis as unknown as { __leakwatchRedis?: Map<string, Held> };
const held = (g.__leakwatchRedis ??= new Map<string, Held>());

export const sourceName = (broker: BrokerConfig) => `redis:${broker.name}`;

/**
 * TLS options as kombu/redis-py would connect: the JSON config's `ssl` section wins over the URL's ssl_* parameters;
 * a rediss:// URL without any means ssl_cert_reqs none (kombu's Connection._init_params: "defaulting to insecure SSL
 * behaviour"); redis-py checks the host name only with ssl_check_hostname.
 */
export function tlsOptions(fromUrl: BrokerTls, fromFile: BrokerTls | undefined): ConnectionOptions {
  const t: BrokerTls = {
    ...fromUrl,
    ...Object.fromEntries(Object.entries(fromFile ?? {}).filter(([, v]) => v !== undefined)),
  };
  const verify = (t.certReqs ?? (t.caCerts ? "required" : "none")) !== "none";
  const read = (file: string | undefined, what: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`cannot read the ${what} file ${file}: ${errorMessage(e)}`);
    }
  };
  return {
    ca: read(t.caCerts, "ssl_ca_certs"),
    cert: read(t.certfile, "ssl_certfile"),
    key: read(t.keyfile, "ssl_keyfile"),
    rejectUnauthorized: verify,
    ...(verify && !t.checkHostname ? { checkServerIdentity: () => undefined } : {}),
  };
}

function options(parsed: ParsedBrokerUrl, broker: BrokerConfig): RedisOptions {
  const socketTimeoutMs = broker.socketTimeoutSeconds
    ? Math.round(broker.socketTimeoutSeconds * 1000)
    : COMMAND_TIMEOUT_MS;
  const base: RedisOptions = {
    db: parsed.db,
    username: parsed.username ?? undefined,
    password: parsed.password ?? undefined,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: socketTimeoutMs,
    // Fail fast while disconnected: a page must never wait for a broker that is down.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 10), MAX_BACKOFF_MS),
    connectionName: "leakwatch",
  };
  if (parsed.kind === "redis") {
    const tls = parsed.tls || broker.tls ? tlsOptions(parsed.tlsParams, broker.tls) : undefined;
    return { ...base, host: parsed.host, port: parsed.port, tls };
  }
  const sentinelTimeoutMs = broker.sentinel?.socketTimeoutSeconds
    ? Math.round(broker.sentinel.socketTimeoutSeconds * 1000)
    : CONNECT_TIMEOUT_MS;
  return {
    ...base,
    sentinels: parsed.sentinels,
    // kombu's sentinel_kwargs: the sentinels' own credentials (Dify's CELERY_SENTINEL_PASSWORD) and socket timeout.
    sentinelUsername: broker.sentinel?.username,
    sentinelPassword: broker.sentinel?.password,
    name: parsed.masterName ?? "mymaster",
    sentinelRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 10), MAX_BACKOFF_MS),
    sentinelCommandTimeout: sentinelTimeoutMs,
    ...(broker.tls ? { tls: tlsOptions({}, broker.tls), enableTLSForSentinelMode: true } : {}),
    // Subscribe to +switch-master so a failover is followed at once, not on the next error.
    failoverDetector: true,
  };
}

function make(h: Omit<Held, "client" | "subscriber">, purpose: string): Redis {
  const client = new Redis({ ...h.options, connectionName: `leakwatch-${purpose}` });
  // An unhandled "error" event would crash the process; remember it for the next caller instead.
  client.on("error", (e: unknown) => {
    (h as Held).lastError = errorMessage(e);
  });
  return client;
}

function hold(broker: BrokerConfig): Held {
  const key = JSON.stringify([
    broker.url,
    broker.masterName ?? "",
    broker.sentinel,
    broker.socketTimeoutSeconds,
    broker.tls,
  ]);
  const existing = held.get(broker.name);
  if (existing && existing.key === key) return existing;
  if (existing) closeHeld(existing);
  const parsed = parseBrokerUrl(broker.url, broker.masterName);
  if (parsed.kind === "sentinel" && !parsed.masterName)
    throw new SourceUnavailableError(sourceName(broker), "a sentinel:// broker needs a master name (master_name)");
  let opts: RedisOptions;
  try {
    opts = options(parsed, broker);
  } catch (e) {
    throw new SourceUnavailableError(sourceName(broker), errorMessage(e));
  }
  const h = { key, parsed, options: opts, lastError: null } as Held;
  h.client = make(h, "cmd");
  h.subscriber = null;
  held.set(broker.name, h);
  return h;
}

function closeHeld(h: Held): void {
  h.client.disconnect();
  h.subscriber?.disconnect();
}

const connecting = new WeakMap<Redis, Promise<void>>();

/** Resolves once the client is ready, or throws SourceUnavailableError after the connect timeout. */
async function ready(broker: BrokerConfig, h: Held, client: Redis): Promise<Redis> {
  if (client.status === "ready") return client;
  // Already failing and backing off: answer at once instead of making every caller wait a timeout.
  if (client.status === "reconnecting" && h.lastError)
    throw new SourceUnavailableError(sourceName(broker), h.lastError);
  if (client.status === "wait" || client.status === "end") client.connect().catch(() => undefined);
  // Callers arriving while the client connects share one wait (one listener, however many callers).
  let wait = connecting.get(client);
  if (!wait) {
    wait = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new SourceUnavailableError(sourceName(broker), h.lastError ?? `not connected (${client.status})`));
      }, CONNECT_TIMEOUT_MS);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off("ready", onReady);
        connecting.delete(client);
      };
      client.on("ready", onReady);
    });
    connecting.set(client, wait);
  }
  await wait;
  return client;
}

/** Errors that mean "the broker cannot serve us now", as opposed to a bug in a command. */
function isUnavailable(e: unknown): boolean {
  // A typed answer from the callback (no such quarantine, a conflict) is the answer, not a broker outage.
  if (typeof (e as { status?: unknown })?.status === "number" && typeof (e as { code?: unknown }).code === "string")
    return false;
  const msg = errorMessage(e);
  if ((e as { name?: string })?.name === "ReplyError")
    return /^(NOAUTH|WRONGPASS|LOADING|MASTERDOWN|READONLY|BUSY|NOPERM)/.test(msg);
  return true;
}

/** Runs fn with the broker's ready client; connection problems surface as SourceUnavailableError. */
export async function withBroker<T>(broker: BrokerConfig, fn: (redis: Redis) => Promise<T>): Promise<T> {
  let h: Held;
  try {
    h = hold(broker);
  } catch (e) {
    if (e instanceof SourceUnavailableError) throw e;
    throw new SourceUnavailableError(
      sourceName(broker),
      `bad broker URL ${redactBrokerUrl(broker.url)}: ${errorMessage(e)}`,
    );
  }
  const client = await ready(broker, h, h.client);
  try {
    return await fn(client);
  } catch (e) {
    if (e instanceof SourceUnavailableError || !isUnavailable(e)) throw e;
    throw new SourceUnavailableError(sourceName(broker), errorMessage(e));
  }
}

/** A dedicated connection for SUBSCRIBE/PSUBSCRIBE (a subscribed connection cannot run other commands). */
export async function getSubscriber(broker: BrokerConfig): Promise<Redis> {
  const h = hold(broker);
  h.subscriber ??= make(h, "sub");
  return ready(broker, h, h.subscriber);
}

/** The subscriber currently held for a broker (listeners compare against it to notice a replacement). */
export function heldSubscriber(broker: BrokerConfig): Redis | null {
  return held.get(broker.name)?.subscriber ?? null;
}

/** Whether the broker is reached through Sentinel (kombu <= 5.3 names its fanout channels differently there). */
export function isSentinel(broker: BrokerConfig): boolean {
  return parseBrokerUrl(broker.url, broker.masterName).kind === "sentinel";
}

/** The db number the broker URL selects (kombu puts it into fanout channel names). */
export function brokerDb(broker: BrokerConfig): number {
  return parseBrokerUrl(broker.url, broker.masterName).db;
}

/** Closes every held connection (tests, shutdown). */
export function closeAllBrokers(): void {
  for (const h of held.values()) closeHeld(h);
  held.clear();
}
