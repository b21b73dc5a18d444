import "server-only";
import { readFileSync } from "node:fs";
import Docker from "dockerode";
import type { DockerHostConfig } from "@/server/config";
import { ValidationError } from "@/server/errors";
import { ALLOWED_KILL_SIGNALS, WATCHED_EVENTS, type AllowedSignal, type DockerOp } from "./allow-list";
import { mapDockerError } from "./docker-errors";
import { demuxLogs, type LogLine } from "./log-stream";
import {
  parseInspect,
  parseListItem,
  parseStatsPids,
  parseTop,
  type ContainerListItem,
  type InspectInfo,
  type StatsPids,
  type TopResult,
} from "./engine-types";
import { processState } from "@/server/process-state";

// A narrow client per Docker endpoint: only the calls in allow-list.ts, each with a timeout, each error mapped to a
// typed one. dockerode is held in a private field so nothing else of it leaks to callers.

const TOP_PS_ARGS = "-eLo pid,tid,stat,wchan:32,comm";
const DEFAULT_TIMEOUT_MS = 10_000;

export type DockerEndpoint = Pick<DockerClient, DockerOp>;

/** dockerode options for unix://, tcp:// (TLS when files are given) and ssh:// URLs. Every field is set so that
 * DOCKER_HOST and friends in the environment cannot override the configured endpoint. */
export function dockerodeOptions(host: DockerHostConfig): Docker.DockerOptions {
  const base = {
    host: undefined,
    port: undefined,
    socketPath: undefined,
    timeout: undefined,
    connectionTimeout: DEFAULT_TIMEOUT_MS,
  };
  if (host.url.startsWith("unix://")) return { ...base, socketPath: host.url.slice("unix://".length) };
  const u = new URL(host.url);
  if (u.protocol === "ssh:") {
    return {
      ...base,
      protocol: "ssh",
      host: u.hostname,
      port: u.port || 22,
      username: decodeURIComponent(u.username) || undefined,
      sshOptions: { agent: host.sshAgent },
    } as Docker.DockerOptions;
  }
  const tls = host.tls;
  const useTls = Boolean(tls?.cert && tls.key) || u.protocol === "https:";
  return {
    ...base,
    protocol: useTls ? "https" : "http",
    host: u.hostname,
    port: u.port,
    ca: tls?.ca ? readFileSync(tls.ca) : undefined,
    cert: tls?.cert ? readFileSync(tls.cert) : undefined,
    key: tls?.key ? readFileSync(tls.key) : undefined,
  } as Docker.DockerOptions;
}

export class DockerClient {
  readonly #docker: Docker;
  readonly #host: string;
  readonly #timeoutMs: number;

  constructor(host: DockerHostConfig, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.#docker = new Docker(dockerodeOptions(host));
    this.#host = host.name;
    this.#timeoutMs = timeoutMs;
  }

  /** dockerode accepts abortSignal on these at runtime; its type definitions do not say so. */
  get #untyped(): {
    ping(o: { abortSignal: AbortSignal }): Promise<unknown>;
    version(o: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>;
    info(o: { abortSignal: AbortSignal }): Promise<unknown>;
  } {
    return this.#docker as unknown as never;
  }

  async #run<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await fn(signal);
    } catch (e) {
      throw mapDockerError(this.#host, what, e, this.#timeoutMs);
    }
  }

  async ping(): Promise<void> {
    await this.#run("ping", (abortSignal) => this.#untyped.ping({ abortSignal }));
  }
  async version(): Promise<{ version: string; apiVersion: string }> {
    const v = await this.#run("version", (abortSignal) => this.#untyped.version({ abortSignal }));
    return { version: String(v.Version ?? ""), apiVersion: String(v.ApiVersion ?? "") };
  }
  async info(): Promise<{ cgroupDriver: string | null; cgroupVersion: string | null; name: string | null }> {
    const i = (await this.#run("info", (abortSignal) => this.#untyped.info({ abortSignal }))) as Record<
      string,
      unknown
    >;
    const s = (k: string) => (typeof i[k] === "string" ? (i[k] as string) : null);
    return { cgroupDriver: s("CgroupDriver"), cgroupVersion: s("CgroupVersion"), name: s("Name") };
  }
  async listContainers(): Promise<ContainerListItem[]> {
    const list = await this.#run("list containers", (abortSignal) =>
      this.#docker.listContainers({ all: true, abortSignal }),
    );
    return list.map(parseListItem);
  }
  async inspectContainer(id: string): Promise<InspectInfo> {
    return parseInspect(
      await this.#run(`inspect ${id}`, (abortSignal) => this.#docker.getContainer(id).inspect({ abortSignal })),
    );
  }
  /** One-shot stats: `stream=false&one-shot=true` returns at once instead of waiting a second for a CPU delta. */
  async containerStats(id: string): Promise<StatsPids> {
    const raw = await this.#run(`stats ${id}`, (abortSignal) =>
      this.#docker
        .getContainer(id)
        .stats({ stream: false, "one-shot": true, abortSignal } as { stream: false; "one-shot": boolean }),
    );
    return parseStatsPids(raw);
  }
  async containerTop(id: string): Promise<TopResult> {
    return parseTop(
      await this.#run(`top ${id}`, (abortSignal) =>
        this.#docker.getContainer(id).top({ ps_args: TOP_PS_ARGS, abortSignal }),
      ),
    );
  }
  /** The last `tailLines` lines; with `sinceSeconds`, only lines from that second on (a sampling pass's new lines). */
  async containerLogs(id: string, tailLines: number, sinceSeconds?: number): Promise<LogLine[]> {
    const tail = Math.max(1, Math.min(99_999, Math.floor(tailLines)));
    const since = sinceSeconds === undefined ? {} : { since: Math.max(0, Math.floor(sinceSeconds)) };
    const buf = await this.#run(`logs ${id}`, (abortSignal) =>
      this.#docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, timestamps: true, follow: false, tail, ...since, abortSignal }),
    );
    return demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
  }
  /** Container events as a raw newline-delimited JSON stream; events.ts parses it and reconnects. No call timeout:
   * the stream is meant to stay open; the caller aborts it through `signal`. */
  async events(signal: AbortSignal, sinceSeconds?: number): Promise<NodeJS.ReadableStream> {
    const filters = { type: ["container"], event: [...WATCHED_EVENTS] };
    try {
      return await this.#docker.getEvents({
        filters,
        abortSignal: signal,
        ...(sinceSeconds ? { since: sinceSeconds } : {}),
      } as Docker.GetEventsOptions);
    } catch (e) {
      throw mapDockerError(this.#host, "events", e);
    }
  }
  /** Only PidsLimit may change; 0 or -1 means unlimited (Docker's convention). */
  async updateContainer(id: string, change: { PidsLimit: number }): Promise<void> {
    const keys = Object.keys(change);
    if (keys.length !== 1 || keys[0] !== "PidsLimit" || !Number.isInteger(change.PidsLimit) || change.PidsLimit < -1) {
      throw new ValidationError("Only PidsLimit (an integer >= -1) may be updated.");
    }
    await this.#run(`update ${id}`, (abortSignal) =>
      this.#docker.getContainer(id).update({ PidsLimit: change.PidsLimit, abortSignal }),
    );
  }
  async restartContainer(id: string, graceSeconds: number): Promise<void> {
    const t = checkGrace(graceSeconds);
    await this.#run(`restart ${id}`, (abortSignal) => this.#docker.getContainer(id).restart({ t, abortSignal }));
  }
  /** Returns false when the container was already stopped (Docker answers 304). */
  async stopContainer(id: string, graceSeconds: number): Promise<boolean> {
    const t = checkGrace(graceSeconds);
    return notModifiedIsFalse(() =>
      this.#run(`stop ${id}`, (abortSignal) => this.#docker.getContainer(id).stop({ t, abortSignal })),
    );
  }
  /** Returns false when the container was already running (Docker answers 304). */
  async startContainer(id: string): Promise<boolean> {
    return notModifiedIsFalse(() =>
      this.#run(`start ${id}`, (abortSignal) => this.#docker.getContainer(id).start({ abortSignal })),
    );
  }
  async killContainer(id: string, signal: AllowedSignal): Promise<void> {
    if (!(ALLOWED_KILL_SIGNALS as readonly string[]).includes(signal)) {
      throw new ValidationError(
        `Signal ${String(signal)} is not allowed (allowed: ${ALLOWED_KILL_SIGNALS.join(", ")}).`,
      );
    }
    await this.#run(`kill ${id}`, (abortSignal) => this.#docker.getContainer(id).kill({ signal, abortSignal }));
  }
}

function checkGrace(graceSeconds: number): number {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 3600) {
    throw new ValidationError("Grace period must be a whole number of seconds between 0 and 3600.");
  }
  return graceSeconds;
}

async function notModifiedIsFalse(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === "conflict" && /\(HTTP code 304\)/.test((e as Error).message)) return false;
    throw e;
  }
}

const clients = () => processState("docker/clients", () => new Map<string, DockerEndpoint>());

/** The cached client for a host, created on first use and shared across requests and hot reloads. */
export function dockerFor(host: DockerHostConfig): DockerEndpoint {
  const key = `${host.name}\n${host.url}`;
  let client = clients().get(key);
  if (!client) {
    client = new DockerClient(host);
    clients().set(key, client);
  }
  return client;
}
