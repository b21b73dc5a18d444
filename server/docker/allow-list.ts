import "server-only";
import { ALLOWED_KILL_SIGNALS, type AllowedSignal } from "@/server/schemas/container-actions";

// The one list of Docker Engine API calls the console may make. The README and a test print it; the client in
// endpoints.ts exposes exactly these operations, and an integration test checks every request it sends against it.
// Deliberately absent: exec, create, remove, images, volumes, networks, plain `stats?stream=false` (it waits a full
// second per container for a CPU delta the console does not need).

// The signals are defined with the action's parameters, which the browser reads too.
export { ALLOWED_KILL_SIGNALS, type AllowedSignal };

/** Container events the console listens to (exec_* are excluded on purpose: `docker top` is not an event anyway). */
export const WATCHED_EVENTS = ["die", "oom", "restart", "kill", "update", "health_status", "start", "stop"] as const;

export type DockerOp =
  | "ping"
  | "version"
  | "info"
  | "listContainers"
  | "inspectContainer"
  | "containerStats"
  | "containerTop"
  | "containerLogs"
  | "events"
  | "updateContainer"
  | "restartContainer"
  | "stopContainer"
  | "startContainer"
  | "killContainer";

export interface AllowedCall {
  op: DockerOp;
  method: "GET" | "POST";
  /** Path with `{id}` for a container id or name. */
  path: string;
  /** Query parameters that must be present with exactly these values. */
  requiredQuery: Record<string, string>;
  /** Query parameters that may also be present (value checked by the regex). */
  optionalQuery: Record<string, RegExp>;
  mutates: boolean;
  purpose: string;
}

const call = (c: Omit<AllowedCall, "requiredQuery" | "optionalQuery"> & Partial<AllowedCall>): AllowedCall => ({
  requiredQuery: {},
  optionalQuery: {},
  ...c,
});

export const DOCKER_ALLOW_LIST: readonly AllowedCall[] = [
  call({ op: "ping", method: "GET", path: "/_ping", mutates: false, purpose: "Is the endpoint up" }),
  call({
    op: "version",
    method: "GET",
    path: "/version",
    mutates: false,
    purpose: "Engine and API version shown on the sources page",
  }),
  call({
    op: "info",
    method: "GET",
    path: "/info",
    mutates: false,
    purpose: "Cgroup driver and version, to pick the cgroup layout",
  }),
  call({
    op: "listContainers",
    method: "GET",
    path: "/containers/json",
    requiredQuery: { all: "true" },
    mutates: false,
    purpose: "Containers to sample, incl. stopped ones",
  }),
  call({
    op: "inspectContainer",
    method: "GET",
    path: "/containers/{id}/json",
    mutates: false,
    purpose: "Main PID (for its cgroup), Docker's PidsLimit, restart count",
  }),
  call({
    op: "containerStats",
    method: "GET",
    path: "/containers/{id}/stats",
    requiredQuery: { stream: "false", "one-shot": "true" },
    mutates: false,
    purpose: "pids_stats when cgroupfs is not readable (remote hosts)",
  }),
  call({
    op: "containerTop",
    method: "GET",
    path: "/containers/{id}/top",
    requiredQuery: { ps_args: "-eLo pid,tid,stat,wchan:32,comm" },
    mutates: false,
    purpose: "Per-thread state and wchan when /proc is not readable",
  }),
  call({
    op: "containerLogs",
    method: "GET",
    path: "/containers/{id}/logs",
    requiredQuery: { stdout: "true", stderr: "true", timestamps: "true", follow: "false" },
    optionalQuery: { tail: /^\d{1,5}$/, since: /^\d{1,12}$/ },
    mutates: false,
    purpose: "Scan recent lines for thread-exhaustion messages (over the API only: new lines each pass)",
  }),
  call({
    op: "events",
    method: "GET",
    path: "/events",
    optionalQuery: { filters: /^\{.*\}$/, since: /^\d+$/ },
    mutates: false,
    purpose: "Container die/oom/restart/... events for the timeline and forecast resets",
  }),
  call({
    op: "updateContainer",
    method: "POST",
    path: "/containers/{id}/update",
    mutates: true,
    purpose: "Set PidsLimit (and nothing else)",
  }),
  call({
    op: "restartContainer",
    method: "POST",
    path: "/containers/{id}/restart",
    optionalQuery: { t: /^\d{1,4}$/ },
    mutates: true,
    purpose: "Restart with a grace period",
  }),
  call({
    op: "stopContainer",
    method: "POST",
    path: "/containers/{id}/stop",
    optionalQuery: { t: /^\d{1,4}$/ },
    mutates: true,
    purpose: "Stop with a grace period",
  }),
  call({
    op: "startContainer",
    method: "POST",
    path: "/containers/{id}/start",
    mutates: true,
    purpose: "Start a stopped container",
  }),
  call({
    op: "killContainer",
    method: "POST",
    path: "/containers/{id}/kill",
    requiredQuery: {},
    optionalQuery: { signal: new RegExp(`^(${ALLOWED_KILL_SIGNALS.join("|")})$`) },
    mutates: true,
    purpose: `Send one of ${ALLOWED_KILL_SIGNALS.join(", ")} (e.g. a Celery warm shutdown)`,
  }),
];

const ID = "[A-Za-z0-9][A-Za-z0-9_.-]*";
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Which allow-list entry a raw request (as sent on the wire) matches, or null when it is not allowed. */
export function matchAllowList(method: string, rawUrl: string): AllowedCall | null {
  const url = new URL(rawUrl, "http://docker");
  const path = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, "");
  for (const c of DOCKER_ALLOW_LIST) {
    if (c.method !== method) continue;
    const re = new RegExp(`^${c.path.split("{id}").map(escapeRegExp).join(ID)}$`);
    if (!re.test(path)) continue;
    const keys = [...url.searchParams.keys()];
    const requiredOk = Object.entries(c.requiredQuery).every(([k, v]) => url.searchParams.get(k) === v);
    const extrasOk = keys.every(
      (k) => k in c.requiredQuery || (c.optionalQuery[k]?.test(url.searchParams.get(k) ?? "") ?? false),
    );
    if (requiredOk && extrasOk) return c;
  }
  return null;
}
