import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { redactBrokerUrl } from "@/server/celery/broker-url";
import { processState } from "@/server/process-state";

// The one module that reads process.env. Parsed once, lazily; a bad value stops start-up and names the variable.

export const DIFY_QUEUES = [
  "priority_dataset",
  "priority_pipeline",
  "dataset",
  "pipeline",
  "mail",
  "ops_trace",
  "app_deletion",
  "plugin",
  "workflow_storage",
  "conversation",
  "workflow",
  "schedule_poller",
  "schedule_executor",
  "triggered_workflow_dispatcher",
  "trigger_refresh_executor",
  "retention",
] as const;

const QUEUE_PRESETS: Record<string, readonly string[]> = { dify: DIFY_QUEUES, none: [] };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface DockerHostConfig {
  name: string;
  url: string;
  /** ssh:// endpoints: the ssh-agent socket to authenticate with (SSH_AUTH_SOCK at start-up). */
  sshAgent?: string;
  /**
   * The engine on this host, reached over tcp:// through a socket proxy (LEAKWATCH_LOCAL_DOCKER_HOSTS): its
   * containers' cgroups and /proc are under LEAKWATCH_CGROUP_ROOT and LEAKWATCH_PROC_ROOT, like a unix:// endpoint's.
   */
  local?: boolean;
  /** TLS files for tcp:// endpoints (from the JSON config file). */
  tls?: { ca?: string; cert?: string; key?: string };
}

export interface BrokerConfig {
  name: string;
  /** redis://, rediss:// or Celery's sentinel:// form (several sentinels joined by ';'). */
  url: string;
  globalKeyprefix: string;
  prioritySteps: number[];
  visibilityTimeoutSeconds: number;
  /** Configured queue names (from presets and the JSON file), always shown even when empty. */
  queues: string[];
  /** Sentinel master name (from `?master_name=` / the JSON file); only for sentinel:// URLs. */
  masterName?: string;
  // kombu's other Redis transport options (JSON file, kombu's names); absent means kombu's/Celery's default
  // (resolved in one place: layoutOf in server/celery/kombu-keys.ts).
  sep?: string;
  unackedKey?: string;
  unackedIndexKey?: string;
  unackedMutexKey?: string;
  unackedMutexExpireSeconds?: number;
  fanoutPrefix?: boolean | string;
  fanoutPatterns?: boolean;
  /** Celery's control_exchange (pidbox exchanges `<it>.pidbox`, `reply.<it>.pidbox`). */
  controlExchange?: string;
  /** Celery's event_exchange. */
  eventExchange?: string;
  /**
   * Exchange name -> kombu exchange type, for routing unacked messages when no live worker reports the type
   * (kombu keeps types only in the declaring process; Redis's binding sets do not say). Live workers' types win.
   */
  exchangeTypes?: Record<string, "direct" | "topic" | "fanout">;
  /** Sentinel's own credentials and timeout (kombu's `sentinel_kwargs`; Dify's CELERY_SENTINEL_PASSWORD). */
  sentinel?: { username?: string; password?: string; socketTimeoutSeconds?: number };
  /** kombu's socket_timeout (seconds) for commands on the broker itself. */
  socketTimeoutSeconds?: number;
  /** TLS as Celery's broker_use_ssl / the rediss:// query (ssl_cert_reqs, ssl_ca_certs, ssl_certfile, ssl_keyfile). */
  tls?: BrokerTls;
  /** Celery's Redis result backend for this broker's workers, when the console should read task outcomes from it. */
  resultBackend?: ResultBackendConfig;
}

/**
 * Celery's result_backend (redis://, rediss://, sentinel://) and the parts of result_backend_transport_options that
 * change where results are: master_name for Sentinel, global_keyprefix (Celery 5.3+) before `celery-task-meta-`.
 * TLS files and Sentinel credentials are the broker's (the same `ssl` and `sentinel_kwargs` sections).
 */
export interface ResultBackendConfig {
  url: string;
  masterName?: string;
  globalKeyprefix: string;
}

export interface BrokerTls {
  /** ssl_cert_reqs: "required" and "optional" verify the server's certificate; "none" does not. */
  certReqs?: "required" | "optional" | "none";
  /** Paths of PEM files. */
  caCerts?: string;
  certfile?: string;
  keyfile?: string;
  /** redis-py's ssl_check_hostname (off by default there, so off by default here too). */
  checkHostname?: boolean;
}

export interface Thresholds {
  /** Share of the effective limit (0-1) at which a container is warn / critical. */
  warnShare: number;
  criticalShare: number;
  /** ETA under which a container is warn / critical. */
  warnEtaSeconds: number;
  criticalEtaSeconds: number;
  /** Default queue depth threshold (Dify's queue monitor uses 200). */
  queueDepth: number;
}

export interface ContainerThresholdOverride extends Partial<Omit<Thresholds, "queueDepth">> {
  /** Glob on the container name (`*` and `?`), or a label `key=value`. */
  match: string;
}

export interface AppConfig {
  dockerHosts: DockerHostConfig[];
  brokers: BrokerConfig[];
  dataDir: string;
  databaseUrl: string | null;
  sampleIntervalMs: number;
  procRoot: string;
  cgroupRoot: string;
  listenHost: string;
  port: number;
  adminPassword: string | null;
  /** Server key for audit HMACs and token hashing; generated into dataDir when not set. */
  secretKey: string | null;
  readOnly: boolean;
  /** Operator opt-in for cgroup.set-pids-max: the console may write pids.max in a container's own cgroup ancestry. */
  cgroupWrite: boolean;
  trustedProxies: string[];
  proxyUserHeader: string | null;
  proxyRoleHeader: string | null;
  logLevel: string;
  thresholds: Thresholds;
  containerThresholds: ContainerThresholdOverride[];
  queueThresholds: Record<string, number>;
  showTaskArguments: boolean;
  /** Allow http://localhost-style origins besides the request's own host (comma list). */
  allowedOrigins: string[];
  /** Alert notification targets (LEAKWATCH_WEBHOOKS="json=http://...,slack=https://..."). */
  webhooks: WebhookConfig[];
  /** Base URL that alert messages link to (runbooks, alerts page). */
  publicUrl: string;
  /** Second audit sinks (the file is the first): RFC 5424 syslog, and/or a Redis stream. */
  auditSyslog: { protocol: "udp" | "tcp"; host: string; port: number } | null;
  auditRedisStream: { url: string; key: string } | null;
}

export interface WebhookConfig {
  url: string;
  format: "json" | "slack";
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

function pairs(variable: string, raw: string): { name: string; url: string }[] {
  const out: { name: string; url: string }[] = [];
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf("=");
    // Never echo the part: a "," inside a password splits the URL, and the rest would be shown.
    if (eq <= 0)
      throw new ConfigError(
        variable,
        `expected comma-separated name=url pairs; entry ${out.length + 1} has no "name=" (a "," inside a password must be written %2C)`,
      );
    const name = part.slice(0, eq).trim();
    const url = part.slice(eq + 1).trim();
    if (!NAME.test(name)) throw new ConfigError(variable, `name "${name}" must match ${NAME}`);
    if (out.some((p) => p.name === name)) throw new ConfigError(variable, `name "${name}" is given twice`);
    out.push({ name, url });
  }
  if (out.length === 0) throw new ConfigError(variable, "expected at least one name=url pair");
  return out;
}

const dockerUrl = /^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+|https?:\/\/[^/\s]+:\d+|ssh:\/\/[^\s]+)$/;
const brokerUrl = /^(redis|rediss|sentinel):\/\/.*/;

const intIn = (variable: string, min: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(min, `${variable} must be at least ${min}`)
    .max(max, `${variable} must be at most ${max}`);

/** Celery accepts ssl.CERT_* names and the short forms (celery/backends/redis.py, kombu's redis transport). */
const certReqs = z
  .string()
  .transform((v) =>
    v
      .trim()
      .toLowerCase()
      .replace(/^(ssl\.)?cert_/, ""),
  )
  .pipe(z.enum(["required", "optional", "none"]));

const fileSchema = z
  .object({
    brokers: z
      .record(
        z.string(),
        z.object({
          global_keyprefix: z.string().max(200).optional(),
          priority_steps: z
            .array(z.number().int().min(0).max(255))
            .min(1)
            .max(32)
            .refine(
              (steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)),
              "must be sorted ascending with no repeats (kombu bisects it)",
            )
            .optional(),
          visibility_timeout: z
            .number()
            .positive()
            .max(30 * 86400)
            .optional(),
          sep: z.string().min(1).max(16).optional(),
          unacked_key: z.string().min(1).max(200).optional(),
          unacked_index_key: z.string().min(1).max(200).optional(),
          unacked_mutex_key: z.string().min(1).max(200).optional(),
          unacked_mutex_expire: z.number().positive().max(86400).optional(),
          fanout_prefix: z.union([z.boolean(), z.string().max(200)]).optional(),
          fanout_patterns: z.boolean().optional(),
          control_exchange: z.string().min(1).max(200).optional(),
          event_exchange: z.string().min(1).max(200).optional(),
          exchange_types: z.record(z.string().min(1).max(1024), z.enum(["direct", "topic", "fanout"])).optional(),
          socket_timeout: z.number().positive().max(3600).optional(),
          sentinel_kwargs: z
            .object({
              username: z.string().max(200).optional(),
              password: z.string().max(1000).optional(),
              socket_timeout: z.number().positive().max(3600).optional(),
            })
            .optional(),
          ssl: z
            .object({
              ssl_cert_reqs: certReqs.optional(),
              ssl_ca_certs: z.string().min(1).max(4096).optional(),
              ssl_certfile: z.string().min(1).max(4096).optional(),
              ssl_keyfile: z.string().min(1).max(4096).optional(),
              ssl_check_hostname: z.boolean().optional(),
            })
            .optional(),
          queues: z.array(z.string().min(1).max(1024)).max(100_000).optional(),
          presets: z.array(z.string()).optional(),
          master_name: z.string().optional(),
          result_backend: z.string().min(1).max(8192).optional(),
          result_backend_transport_options: z
            .object({
              master_name: z.string().min(1).max(200).optional(),
              global_keyprefix: z.string().max(200).optional(),
            })
            .optional(),
        }),
      )
      .optional(),
    dockerTls: z
      .record(z.string(), z.object({ ca: z.string(), cert: z.string(), key: z.string() }).partial())
      .optional(),
    thresholds: z
      .object({
        warnShare: z.number().gt(0).lte(1),
        criticalShare: z.number().gt(0).lte(1),
        warnEtaSeconds: z.number().positive(),
        criticalEtaSeconds: z.number().positive(),
        queueDepth: z.number().int().positive(),
      })
      .partial()
      .optional(),
    containerThresholds: z
      .array(
        z.object({
          match: z.string().min(1),
          warnShare: z.number().gt(0).lte(1).optional(),
          criticalShare: z.number().gt(0).lte(1).optional(),
          warnEtaSeconds: z.number().positive().optional(),
          criticalEtaSeconds: z.number().positive().optional(),
        }),
      )
      .optional(),
    queueThresholds: z.record(z.string(), z.number().int().positive()).optional(),
    showTaskArguments: z.boolean().optional(),
  })
  .strict();

function parseNumber<T>(variable: string, schema: z.ZodType<T>, raw: string | undefined, fallback: string): T {
  const r = schema.safeParse(raw ?? fallback);
  if (!r.success) throw new ConfigError(variable, r.error.issues[0]?.message ?? "invalid value");
  return r.data;
}

function parseBool(variable: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "") return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(variable, `expected true or false, got "${raw}"`);
}

function parseSyslog(raw: string | undefined): AppConfig["auditSyslog"] {
  if (!raw) return null;
  const m = /^(udp|tcp):\/\/([^:/\s]+):(\d{1,5})$/.exec(raw);
  if (!m || Number(m[3]) > 65535)
    throw new ConfigError("LEAKWATCH_AUDIT_SYSLOG", `expected udp://host:port or tcp://host:port, got "${raw}"`);
  return { protocol: m[1] as "udp" | "tcp", host: m[2]!, port: Number(m[3]) };
}

function parseRedisStream(raw: string | undefined): AppConfig["auditRedisStream"] {
  if (!raw) return null;
  const m = /^(rediss?:\/\/[^#\s]+)#(.{1,200})$/.exec(raw);
  if (!m)
    throw new ConfigError("LEAKWATCH_AUDIT_REDIS_STREAM", `expected redis://host:port/db#streamkey, got "${raw}"`);
  return { url: m[1]!, key: m[2]! };
}

/** Pure: parses an environment into the config. Exported for tests; the app calls getConfig(). */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const dockerHosts = pairs(
    "LEAKWATCH_DOCKER_HOSTS",
    env.LEAKWATCH_DOCKER_HOSTS || "local=unix:///var/run/docker.sock",
  );
  for (const h of dockerHosts) {
    if (!dockerUrl.test(h.url))
      throw new ConfigError(
        "LEAKWATCH_DOCKER_HOSTS",
        `"${redactBrokerUrl(h.url)}" is not unix:///path, tcp://host:port or ssh://user@host`,
      );
  }
  for (const name of (env.LEAKWATCH_LOCAL_DOCKER_HOSTS ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean)) {
    const h = dockerHosts.find((x) => x.name === name);
    if (!h) throw new ConfigError("LEAKWATCH_LOCAL_DOCKER_HOSTS", `"${name}" is not a name in LEAKWATCH_DOCKER_HOSTS`);
    (h as DockerHostConfig).local = true;
  }
  const brokerPairs = pairs("LEAKWATCH_BROKERS", env.LEAKWATCH_BROKERS || "default=redis://127.0.0.1:6379/1");
  for (const b of brokerPairs) {
    if (!brokerUrl.test(b.url))
      throw new ConfigError(
        "LEAKWATCH_BROKERS",
        `"${redactBrokerUrl(b.url)}" is not a redis://, rediss:// or sentinel:// URL`,
      );
  }

  const backendPairs = env.LEAKWATCH_RESULT_BACKENDS
    ? pairs("LEAKWATCH_RESULT_BACKENDS", env.LEAKWATCH_RESULT_BACKENDS)
    : [];
  for (const b of backendPairs) {
    if (!brokerPairs.some((p) => p.name === b.name))
      throw new ConfigError("LEAKWATCH_RESULT_BACKENDS", `"${b.name}" is not a name in LEAKWATCH_BROKERS`);
    if (!brokerUrl.test(b.url))
      throw new ConfigError(
        "LEAKWATCH_RESULT_BACKENDS",
        `"${redactBrokerUrl(b.url)}" is not a redis://, rediss:// or sentinel:// URL`,
      );
  }

  let file: z.infer<typeof fileSchema> = {};
  if (env.LEAKWATCH_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.LEAKWATCH_CONFIG, "utf8");
    } catch (e) {
      throw new ConfigError("LEAKWATCH_CONFIG", `cannot read ${env.LEAKWATCH_CONFIG}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigError("LEAKWATCH_CONFIG", `${env.LEAKWATCH_CONFIG} is not valid JSON`);
    }
    const r = fileSchema.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ConfigError("LEAKWATCH_CONFIG", `${i?.path.join(".") || "(root)"}: ${i?.message}`);
    }
    file = r.data;
  }

  const defaultPresets = (env.LEAKWATCH_QUEUE_PRESETS ?? "dify")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of defaultPresets) {
    if (!QUEUE_PRESETS[p])
      throw new ConfigError(
        "LEAKWATCH_QUEUE_PRESETS",
        `unknown preset "${p}" (known: ${Object.keys(QUEUE_PRESETS).join(", ")})`,
      );
  }

  const brokers: BrokerConfig[] = brokerPairs.map(({ name, url }) => {
    const f = file.brokers?.[name] ?? {};
    const presets = f.presets ?? defaultPresets;
    const queues = new Set<string>();
    for (const p of presets) for (const q of QUEUE_PRESETS[p] ?? []) queues.add(q);
    for (const q of f.queues ?? []) queues.add(q);
    const masterFromUrl = /[?&]master_name=([^&;]+)/.exec(url)?.[1];
    const backendUrl = backendPairs.find((p) => p.name === name)?.url ?? f.result_backend;
    if (backendUrl !== undefined && !brokerUrl.test(backendUrl))
      throw new ConfigError(
        "LEAKWATCH_CONFIG",
        `brokers.${name}.result_backend: "${redactBrokerUrl(backendUrl)}" is not a redis://, rediss:// or sentinel:// URL`,
      );
    const backendMaster =
      f.result_backend_transport_options?.master_name ??
      (backendUrl ? /[?&]master_name=([^&;]+)/.exec(backendUrl)?.[1] : undefined);
    return {
      name,
      url,
      globalKeyprefix: f.global_keyprefix ?? "",
      prioritySteps: f.priority_steps ?? [0, 3, 6, 9],
      visibilityTimeoutSeconds: f.visibility_timeout ?? 3600,
      queues: [...queues],
      masterName: f.master_name ?? (masterFromUrl ? decodeURIComponent(masterFromUrl) : undefined),
      sep: f.sep,
      unackedKey: f.unacked_key,
      unackedIndexKey: f.unacked_index_key,
      unackedMutexKey: f.unacked_mutex_key,
      unackedMutexExpireSeconds: f.unacked_mutex_expire,
      fanoutPrefix: f.fanout_prefix,
      fanoutPatterns: f.fanout_patterns,
      controlExchange: f.control_exchange,
      eventExchange: f.event_exchange,
      exchangeTypes: f.exchange_types,
      sentinel: f.sentinel_kwargs && {
        username: f.sentinel_kwargs.username,
        password: f.sentinel_kwargs.password,
        socketTimeoutSeconds: f.sentinel_kwargs.socket_timeout,
      },
      socketTimeoutSeconds: f.socket_timeout,
      tls: f.ssl && {
        certReqs: f.ssl.ssl_cert_reqs,
        caCerts: f.ssl.ssl_ca_certs,
        certfile: f.ssl.ssl_certfile,
        keyfile: f.ssl.ssl_keyfile,
        checkHostname: f.ssl.ssl_check_hostname,
      },
      resultBackend: backendUrl
        ? {
            url: backendUrl,
            masterName: backendMaster ? decodeURIComponent(backendMaster) : undefined,
            globalKeyprefix: f.result_backend_transport_options?.global_keyprefix ?? "",
          }
        : undefined,
    };
  });
  for (const h of dockerHosts) {
    const tls = file.dockerTls?.[h.name];
    if (tls) (h as DockerHostConfig).tls = tls;
    if (h.url.startsWith("ssh://") && env.SSH_AUTH_SOCK) (h as DockerHostConfig).sshAgent = env.SSH_AUTH_SOCK;
  }

  const databaseUrl = env.LEAKWATCH_DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError(
      "LEAKWATCH_DATABASE_URL",
      "expected a postgres:// URL (leave unset for the embedded SQLite store)",
    );

  const thresholds: Thresholds = {
    warnShare: 0.7,
    criticalShare: 0.9,
    warnEtaSeconds: 6 * 3600,
    criticalEtaSeconds: 3600,
    queueDepth: 200,
    ...file.thresholds,
  };

  return {
    dockerHosts,
    brokers,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.LEAKWATCH_DATA_DIR || "./data"),
    databaseUrl,
    sampleIntervalMs: parseNumber(
      "LEAKWATCH_SAMPLE_INTERVAL_MS",
      intIn("LEAKWATCH_SAMPLE_INTERVAL_MS", 250, 3_600_000),
      env.LEAKWATCH_SAMPLE_INTERVAL_MS,
      "5000",
    ),
    procRoot: env.LEAKWATCH_PROC_ROOT || "/proc",
    cgroupRoot: env.LEAKWATCH_CGROUP_ROOT || "/sys/fs/cgroup",
    listenHost: env.HOSTNAME_BIND || env.LEAKWATCH_HOST || "127.0.0.1",
    port: parseNumber("PORT", intIn("PORT", 1, 65535), env.PORT, "3000"),
    adminPassword: env.LEAKWATCH_ADMIN_PASSWORD || null,
    secretKey: env.LEAKWATCH_SECRET_KEY || null,
    readOnly: parseBool("LEAKWATCH_READ_ONLY", env.LEAKWATCH_READ_ONLY),
    cgroupWrite: parseBool("LEAKWATCH_CGROUP_WRITE", env.LEAKWATCH_CGROUP_WRITE),
    trustedProxies: (env.LEAKWATCH_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    proxyUserHeader: env.LEAKWATCH_PROXY_USER_HEADER || null,
    proxyRoleHeader: env.LEAKWATCH_PROXY_ROLE_HEADER || null,
    logLevel: env.LEAKWATCH_LOG_LEVEL || "info",
    thresholds,
    containerThresholds: file.containerThresholds ?? [],
    queueThresholds: file.queueThresholds ?? {},
    showTaskArguments: file.showTaskArguments ?? false,
    allowedOrigins: (env.LEAKWATCH_ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    webhooks: parseWebhooks(env.LEAKWATCH_WEBHOOKS),
    publicUrl: parsePublicUrl(
      env.LEAKWATCH_PUBLIC_URL,
      env.HOSTNAME_BIND || env.LEAKWATCH_HOST || "127.0.0.1",
      env.PORT || "3000",
    ),
    auditSyslog: parseSyslog(env.LEAKWATCH_AUDIT_SYSLOG),
    auditRedisStream: parseRedisStream(env.LEAKWATCH_AUDIT_REDIS_STREAM),
  };
}

function parsePublicUrl(raw: string | undefined, host: string, port: string): string {
  if (!raw) return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (!/^https?:\/\/[^\s/]+/.test(raw))
    throw new ConfigError("LEAKWATCH_PUBLIC_URL", `expected an http(s) base URL, got "${raw}"`);
  return raw.replace(/\/+$/, "");
}

/** "json=URL,slack=URL": a format and an http(s) URL per entry; the same format may appear more than once. */
function parseWebhooks(raw: string | undefined): WebhookConfig[] {
  const out: WebhookConfig[] = [];
  for (const part of (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf("=");
    const format = eq > 0 ? part.slice(0, eq).trim() : "";
    const url = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (format !== "json" && format !== "slack")
      throw new ConfigError("LEAKWATCH_WEBHOOKS", `expected json=URL or slack=URL, got "${part}"`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError("LEAKWATCH_WEBHOOKS", `"${url}" is not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new ConfigError("LEAKWATCH_WEBHOOKS", `"${url}" must be http:// or https://`);
    out.push({ format, url });
  }
  return out;
}

const current = () => processState("config", () => ({ config: undefined as AppConfig | undefined }));

export function getConfig(): AppConfig {
  const c = current();
  if (!c.config) c.config = parseConfig(process.env);
  return c.config;
}

/** Tests only: swap the config (e.g. a test Redis port). */
export function setConfigForTests(cfg: AppConfig | undefined): void {
  current().config = cfg;
}
