import { fmtDuration } from "@/lib/format";
import { containerHref, queueHref, workerHref } from "@/lib/segments";
import type { AuditListRow } from "@/server/schemas/audit";

// The audit page's pure parts: its filters as they live in the URL, what a row's time-box role is, and where its
// target's page is. Tested in audit-rows.test.ts.

export type { AuditListRow };

const FILTER_KEYS = ["id", "actor", "action", "target", "outcome", "from", "to"] as const;
export type AuditFilters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

// The same bounds as the API (server/audit/query-params.ts): a longer value in a hand-edited URL is cut, not sent.
const MAX_LEN: Record<(typeof FILTER_KEYS)[number], number> = {
  id: 100,
  actor: 200,
  action: 200,
  target: 500,
  outcome: 50,
  from: 40,
  to: 40,
};

/** The filters a URL's query string holds (?action=pids&target=dify), trimmed; unknown keys are ignored. */
export function filtersFromSearch(search: URLSearchParams | string): AuditFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const out: AuditFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k)?.trim().slice(0, MAX_LEN[k]);
    if (!v) continue;
    // from/to are ISO timestamps for the API; anything else from a hand-edited URL is dropped, not sent.
    if ((k === "from" || k === "to") && Number.isNaN(Date.parse(v))) continue;
    out[k] = v;
  }
  return out;
}

/** The query string for the URL and the API, in a fixed key order (so equal filters share one cache entry). */
export function searchFromFilters(f: AuditFilters, offset = 0): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  if (offset > 0) p.set("offset", String(offset));
  return p.toString();
}

/** The offset a URL asks for: a whole number, 0 when absent or malformed. */
export function offsetFromSearch(search: URLSearchParams | string): number {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const n = Number(params.get("offset") ?? 0);
  return Number.isInteger(n) && n > 0 && n <= 1_000_000 ? n : 0;
}

/** What the list shows: "12 entries match the filter", or "entries 101–200" of a full page further down. */
export function countText(shown: number, offset: number, page: number, filtered: boolean): string {
  if (offset === 0 && shown < page) {
    const what = filtered ? (shown === 1 ? "matches the filter" : "match the filter") : "shown";
    return `${shown.toLocaleString("en-US")} ${shown === 1 ? "entry" : "entries"} ${what}`;
  }
  if (shown === 0)
    return `no ${filtered ? "entries match the filter" : "entries"} past the newest ${offset.toLocaleString("en-US")}`;
  const range = `${(offset + 1).toLocaleString("en-US")}–${(offset + shown).toLocaleString("en-US")}`;
  return `entries ${range}, newest first, ${filtered ? "matching the filter" : "shown"}`;
}

export interface TimeboxLabel {
  kind: "raise" | "revert" | "keep";
  text: string;
  /** The audit id of the raise a revert undoes, when recorded in its reason. */
  raisedIn?: string;
}

const RAISES: Record<string, string> = {
  "container.set-pids-limit": "revertAfterSeconds",
  "cgroup.set-pids-max": "timeboxSeconds",
};
const KEEPS = new Set(["container.confirm-pids-limit", "cgroup.confirm-pids-max"]);

/**
 * A pids raise with a time box, the system's revert of it (run by "system:timebox", server/actions/timebox-revert.ts,
 * with the raise's audit id in its reason) and a "keep" of one; null for every other entry.
 */
export function timeboxLabel(r: Pick<AuditListRow, "action" | "actor" | "params" | "reason">): TimeboxLabel | null {
  if (KEEPS.has(r.action)) return { kind: "keep", text: "time box kept" };
  const key = RAISES[r.action];
  if (!key) return null;
  if (r.actor === "system:timebox") {
    const raisedIn = /raised in ([0-9a-f-]{36})/.exec(r.reason ?? "")?.[1];
    return { kind: "revert", text: "time-box revert", ...(raisedIn ? { raisedIn } : {}) };
  }
  const seconds = (r.params as Record<string, unknown> | null)?.[key];
  return typeof seconds === "number" && seconds > 0
    ? { kind: "raise", text: `time-boxed raise: reverts after ${fmtDuration(seconds)}` }
    : null;
}

/** broker/rest or host/rest split at the first slash; null without one or with an empty part. */
function split(target: string): [string, string] | null {
  const i = target.indexOf("/");
  if (i <= 0 || i === target.length - 1) return null;
  return [target.slice(0, i), target.slice(i + 1)];
}

/**
 * The page of the entry's target: a container (by its recorded full id when there is one, else the host/name or
 * host/id asked for), a queue (broker/queue) or a worker (broker/hostname). Null for events and other targets.
 */
export function targetHref(r: Pick<AuditListRow, "action" | "target" | "targetId" | "kind">): string | null {
  if (r.kind !== "action" || !r.target) return null;
  const family = r.action.split(".")[0];
  if (family === "container" || family === "cgroup") {
    const parts = split(r.targetId ?? r.target);
    return parts ? containerHref(parts[0], parts[1]) : null;
  }
  const parts = split(r.target);
  if (!parts) return null;
  if (family === "queue") return queueHref(parts[0], parts[1]);
  if (family === "worker") return workerHref(parts[0], parts[1]);
  return null;
}
