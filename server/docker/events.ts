import "server-only";
import type { DockerHostConfig } from "@/server/config";
import { errorMessage } from "@/server/errors";
import type { ContainerEvent } from "@/server/schemas/containers";
import { WATCHED_EVENTS } from "./allow-list";
import { dockerFor } from "./endpoints";
import { LIST_CHANGING_ACTIONS, noteEventsConnected, noteListChange } from "./container-list";
import { noteReset } from "./history-ring";

// A subscription to one host's container events that survives engine restarts and dropped sockets: it reconnects
// with backoff and resumes from the last event seen (`since`), so a short outage loses nothing.

export interface HostContainerEvent extends ContainerEvent {
  host: string;
  containerId: string;
}
export interface EventStreamState {
  connected: boolean;
  error: string | null;
}

const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const RESUME_SLACK_SECONDS = 5;
/** Events that start a new run of the container: the forecast window must not span them. */
export const RESET_ACTIONS = new Set(["start", "restart", "die"]);

/** Parses one line of the events stream; null for anything that is not a container event we watch. */
export function parseEventLine(host: string, line: string): HostContainerEvent | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const actor = (raw.Actor ?? {}) as { ID?: unknown; Attributes?: Record<string, unknown> };
  const action = typeof raw.Action === "string" ? raw.Action : typeof raw.status === "string" ? raw.status : "";
  const id = typeof actor.ID === "string" ? actor.ID : typeof raw.id === "string" ? raw.id : "";
  // The engine filters by event already; check again so an older engine (or a future action) cannot slip through.
  const base = action.split(":")[0] ?? "";
  if (raw.Type !== "container" || !id || !(WATCHED_EVENTS as readonly string[]).includes(base)) return null;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(actor.Attributes ?? {})) if (typeof v === "string") attributes[k] = v;
  const ts =
    typeof raw.timeNano === "number"
      ? Math.floor(raw.timeNano / 1e6)
      : typeof raw.time === "number"
        ? raw.time * 1000
        : Date.now();
  return { host, containerId: id, ts, action, attributes };
}

/** Returns a function that ends the subscription. `onState` reports (re)connects and failures. */
export function subscribeEvents(
  host: DockerHostConfig,
  onEvent: (e: HostContainerEvent) => void,
  onState: (s: EventStreamState) => void = () => {},
): () => void {
  const controller = new AbortController();
  let backoffMs = BACKOFF_START_MS;
  // Where a reconnect resumes (`since`, whole seconds): the last event seen or, when the stream was live but quiet,
  // shortly before it broke. Without the second, a stream that had seen no event yet lost whatever happened
  // between the engine coming back and the reconnect (found by stopping the real dockerd).
  let resumeSeconds: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  // Resuming with `since` (whole seconds) replays that second's events; remember recent ones to drop the repeats.
  const recent: string[] = [];
  const deliver = (e: HostContainerEvent, rawTimeNano: string) => {
    const k = `${rawTimeNano}|${e.containerId}|${e.action}`;
    if (recent.includes(k)) return;
    recent.push(k);
    if (recent.length > 256) recent.shift();
    resumeSeconds = Math.max(resumeSeconds ?? 0, Math.floor(e.ts / 1000));
    if (RESET_ACTIONS.has(e.action)) noteReset(host.name, e.containerId, e.ts);
    if (LIST_CHANGING_ACTIONS.has(e.action.split(":")[0] ?? "")) noteListChange(host.name);
    try {
      onEvent(e);
    } catch {
      // a consumer's bug must not kill the subscription
    }
  };

  const connect = async () => {
    if (controller.signal.aborted) return;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await dockerFor(host).events(controller.signal, resumeSeconds);
    } catch (e) {
      return retry(errorMessage(e));
    }
    const connectedAt = Date.now();
    noteEventsConnected(host.name, true);
    onState({ connected: true, error: null });
    let buffered = "";
    stream.on("data", (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        const e = line ? parseEventLine(host.name, line) : null;
        if (e) deliver(e, /"timeNano":(\d+)/.exec(line)?.[1] ?? String(e.ts));
      }
    });
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      // Everything up to about now arrived; the slack covers events in flight when the connection broke (the
      // replayed ones are dropped as repeats).
      resumeSeconds = Math.max(resumeSeconds ?? 0, Math.floor(Date.now() / 1000) - RESUME_SLACK_SECONDS);
      if (Date.now() - connectedAt > BACKOFF_MAX_MS) backoffMs = BACKOFF_START_MS; // it was healthy for a while
      retry(why);
    };
    stream.on("end", () => end("event stream ended"));
    stream.on("close", () => end("event stream closed"));
    stream.on("error", (e: unknown) => end(errorMessage(e)));
  };

  const retry = (error: string) => {
    noteEventsConnected(host.name, false);
    if (controller.signal.aborted) return;
    onState({ connected: false, error });
    timer = setTimeout(connect, backoffMs);
    backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
  };

  void connect();
  return () => {
    noteEventsConnected(host.name, false);
    controller.abort();
    if (timer) clearTimeout(timer);
  };
}
