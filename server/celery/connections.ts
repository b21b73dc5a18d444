import "server-only";
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import { getConfig, type BrokerConfig, type BrokerTls } from "@/server/config";
import { SourceUnavailableError, errorMessage } from "@/server/errors";
import { parseBrokerUrl, redactBrokerUrl, type ParsedBrokerUrl } from "./broker-url";
import { processState } from "@/server/process-state";

// One lazily created ioredis client per broker (plus one pub/sub client when asked for, and connections of their own
// for blocking reads), kept on globalThis so hot reload and concurrent requests share them. Clients reconnect by
// themselves with a capped backoff; callers get a SourceUnavailableError instead of a hang or a dead socket.

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 3_000;
const MAX_BACKOFF_MS = 5_000;
/** Blocking connections kept open per broker between uses (one per pidbox call waiting at the same time). */
const MAX_IDLE_BLOCKING = 8;

interface Held {
  /** The broker's name (the map key is heldId: the name and its connection settings). */
  name: string;
  parsed: ParsedBrokerUrl;
  options: RedisOptions;
  client: Redis;
  subscriber: Redis | null;
  /** Connections for blocking reads (BRPOP) not in use now, and all of them (in use or not) for closing. */
  idleBlocking: Redis[];
  blocking: Set<Redis>;
  lastError: string | null;
}

const held = () => processState("celery/connections", () => new Map<string, Held>());

export const sourceName = (broker: BrokerConfig) => `redis:${broker.name}`;

/**
 * TLS options as kombu/redis-py would connect: the JSON config's `ssl` section wins over the URL's ssl_* parameters;
 * a rediss:// URL without any means ssl_cert_reqs none (kombu's Connection._init_params: "defaulting to insecure SSL
 * behaviour"); redis-py checks the host name only with ssl_check_hostname.
 */
function tlsOptions(fromUrl: BrokerTls, fromFile: BrokerTls | undefined): ConnectionOptions {
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

function make(h: Pick<Held, "options" | "lastError">, purpose: string, extra: RedisOptions = {}): Redis {
  const client = new Redis({ ...h.options, connectionName: `leakwatch-${purpose}`, ...extra });
  // An unhandled "error" event would crash the process; remember it for the next caller instead.
  client.on("error", (e: unknown) => {
    (h as Held).lastError = errorMessage(e);
  });
  return client;
}

/** What a held connection is for: the broker's name and everything that decides how it connects. */
function heldId(broker: BrokerConfig): string {
  return JSON.stringify([
    broker.name,
    broker.url,
    broker.masterName ?? "",
    broker.sentinel,
    broker.socketTimeoutSeconds,
    broker.tls,
  ]);
}

/** How long connections made with a broker's previous settings stay open for work already under way. */
const RETIRE_AFTER_MS = 60_000;

/**
 * Connections are held per name AND settings. When a broker's settings change (the settings page, a test that
 * starts another console), work still under way with the old settings (a pidbox sweep a few seconds later, a pass in
 * flight) keeps its own connections instead of closing the new ones: replacing by name let each side close the
 * other's connection mid-command ("Connection is closed"). The configured broker's previous connections close after
 * RETIRE_AFTER_MS.
 */
function hold(broker: BrokerConfig): Held {
  const id = heldId(broker);
  const existing = held().get(id);
  if (existing) return existing;
  const parsed = parseBrokerUrl(broker.url, broker.masterName);
  if (parsed.kind === "sentinel" && !parsed.masterName)
    throw new SourceUnavailableError(sourceName(broker), "a sentinel:// broker needs a master name (master_name)");
  let opts: RedisOptions;
  try {
    opts = options(parsed, broker);
  } catch (e) {
    throw new SourceUnavailableError(sourceName(broker), errorMessage(e));
  }
  const h = {
    name: broker.name,
    parsed,
    options: opts,
    lastError: null,
    idleBlocking: [],
    blocking: new Set(),
  } as unknown as Held;
  h.client = make(h, "cmd");
  h.subscriber = null;
  held().set(id, h);
  if (isConfigured(broker)) retireOthers(broker.name, id);
  return h;
}

/** Whether these are the settings the console is configured with for this name (not a leftover's). */
function isConfigured(broker: BrokerConfig): boolean {
  try {
    const cfg = getConfig();
    const configured = cfg.brokers.flatMap((b) => [b, resultBackendTarget(b)]).find((b) => b?.name === broker.name);
    return configured !== undefined && configured !== null && heldId(configured) === heldId(broker);
  } catch {
    return false;
  }
}

function retireOthers(name: string, keep: string): void {
  for (const [id, h] of held()) {
    if (id === keep || h.name !== name) continue;
    setTimeout(() => {
      if (held().get(id) !== h) return;
      held().delete(id);
      closeHeld(h);
    }, RETIRE_AFTER_MS).unref();
  }
}

function closeHeld(h: Held): void {
  h.client.disconnect();
  h.subscriber?.disconnect();
  for (const c of h.blocking) c.disconnect();
  h.blocking.clear();
  h.idleBlocking.length = 0;
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

function holdOrThrow(broker: BrokerConfig): Held {
  try {
    return hold(broker);
  } catch (e) {
    if (e instanceof SourceUnavailableError) throw e;
    throw new SourceUnavailableError(
      sourceName(broker),
      `bad broker URL ${redactBrokerUrl(broker.url)}: ${errorMessage(e)}`,
    );
  }
}

function asUnavailable(broker: BrokerConfig, e: unknown): unknown {
  if (e instanceof SourceUnavailableError || !isUnavailable(e)) return e;
  return new SourceUnavailableError(sourceName(broker), errorMessage(e));
}

/** Runs fn with the broker's ready client; connection problems surface as SourceUnavailableError. */
export async function withBroker<T>(broker: BrokerConfig, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const h = holdOrThrow(broker);
  const client = await ready(broker, h, h.client);
  try {
    return await fn(client);
  } catch (e) {
    throw asUnavailable(broker, e);
  }
}

/**
 * Runs fn with a connection used by nobody else while fn runs, for blocking reads (BRPOP): a blocked connection
 * answers nothing else until the read returns, so the shared client must never block. One per concurrent caller
 * (kombu gives each Mailbox client its own connection too); up to MAX_IDLE_BLOCKING stay open for the next pass.
 * These connections have no command timeout (a BRPOP waits longer than it on purpose): the caller bounds each read
 * (see blockingPop). A connection whose read failed is closed, not reused.
 */
export async function withBlockingConnection<T>(broker: BrokerConfig, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const h = holdOrThrow(broker);
  let client = h.idleBlocking.pop();
  while (client && client.status === "end") {
    h.blocking.delete(client);
    client = h.idleBlocking.pop();
  }
  if (!client) {
    client = make(h, "block", { commandTimeout: undefined });
    h.blocking.add(client);
  }
  let healthy = false;
  try {
    await ready(broker, h, client);
    const result = await fn(client);
    healthy = true;
    return result;
  } catch (e) {
    throw asUnavailable(broker, e);
  } finally {
    // Not reused when fn failed (a read may still be pending on it) or the broker config changed meanwhile.
    if (healthy && held().get(heldId(broker)) === h && h.idleBlocking.length < MAX_IDLE_BLOCKING)
      h.idleBlocking.push(client);
    else {
      h.blocking.delete(client);
      client.disconnect();
    }
  }
}

/** Connections to a Redis older than 6, which takes BRPOP timeouts in whole seconds only. */
const wholeSecondTimeouts = new WeakSet<Redis>();

/**
 * BRPOP over keys (first non-empty key in the order given, as kombu's _brpop_start lists priority steps) for at most
 * waitMs. Redis >= 6 takes fractional seconds; older servers get whole seconds. The read fails (and the connection is
 * closed) when the connection drops during it, or when the server has not answered graceMs after the wait ended.
 */
export async function blockingPop(
  client: Redis,
  keys: (string | Buffer)[],
  waitMs: number,
  graceMs = COMMAND_TIMEOUT_MS,
): Promise<[Buffer, Buffer] | null> {
  const wholeSeconds = wholeSecondTimeouts.has(client);
  const seconds = wholeSeconds ? Math.max(1, Math.ceil(waitMs / 1000)) : Math.max(0.001, waitMs / 1000);
  let timer: NodeJS.Timeout | undefined;
  let onClose: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        client.disconnect();
        reject(new Error(`no answer to BRPOP ${graceMs} ms after its ${Math.round(waitMs)} ms wait ended`));
      },
      seconds * 1000 + graceMs,
    );
    // A connection lost mid-read fails the read at once, as kombu's drain_events raises on a connection error
    // (ioredis would otherwise resend it after reconnecting, and a broker that is down would cost the whole wait).
    onClose = () => {
      client.disconnect();
      reject(new Error("the connection to the broker closed while waiting for a reply"));
    };
    client.once("close", onClose);
  });
  try {
    const pending = client.brpopBuffer(...keys, wholeSeconds ? seconds : seconds.toFixed(3));
    pending.catch(() => undefined);
    return (await Promise.race([pending, guard])) as [Buffer, Buffer] | null;
  } catch (e) {
    // Redis < 6: "ERR timeout is not an integer or out of range"; remember and retry once with whole seconds.
    if (!wholeSeconds && /timeout is not an? (integer|float)/i.test(errorMessage(e))) {
      wholeSecondTimeouts.add(client);
      return blockingPop(client, keys, waitMs, graceMs);
    }
    throw e;
  } finally {
    clearTimeout(timer);
    if (onClose) client.off("close", onClose);
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
  return held().get(heldId(broker))?.subscriber ?? null;
}

/** Whether the broker is reached through Sentinel (kombu <= 5.3 names its fanout channels differently there). */
export function isSentinel(broker: BrokerConfig): boolean {
  return parseBrokerUrl(broker.url, broker.masterName).kind === "sentinel";
}

/** The db number the broker URL selects (kombu puts it into fanout channel names). */
export function brokerDb(broker: BrokerConfig): number {
  return parseBrokerUrl(broker.url, broker.masterName).db;
}

/**
 * The broker's result backend as a connection target of its own: held under `<broker>#results` (a name no broker
 * can have), with the broker's TLS files, Sentinel credentials and socket timeout, as Celery shares them.
 */
export function resultBackendTarget(broker: BrokerConfig): BrokerConfig | null {
  const rb = broker.resultBackend;
  if (!rb) return null;
  return { ...broker, name: `${broker.name}#results`, url: rb.url, masterName: rb.masterName };
}

/** Closes every held connection (tests, shutdown). */
export function closeAllBrokers(): void {
  for (const h of held().values()) closeHeld(h);
  held().clear();
}
