// One timeline entry in words; shared by the run page and the report (no server-only: the browser uses it).
import { changeLabel, isTimeboxRevert } from "@/lib/change-label";
import type { RunbookEntry, RunbookRun } from "./types";

type RunRef = Pick<RunbookRun, "target" | "targetLabel">;

/** A thread-leak run's label: the container's name first, its short id after (what `docker ps` shows). */
export function containerRunLabel(host: string, name: string, id: string): string {
  return `${host}/${name} (${id.slice(0, 12)})`;
}

const LABEL = /^(.+) \(([0-9a-f]{12})\)$/;
// A target recorded as an id (older audit entries, or one recorded while the container could not be resolved).
const ID_TARGET = /^([^/]+)\/([0-9a-f]{12,64})$/;

/** A target as people read it (host/name), and the full host/id when it is a container (for hover and copy). */
export interface ShownTarget {
  text: string;
  id: string | null;
}

/** The run's container as host/name, or null for a queue run. */
function runContainer(run: RunRef): { name: string; id: string } | null {
  const t = run.target;
  if (!("host" in t)) return null;
  const m = LABEL.exec(run.targetLabel);
  return { name: m ? m[1]! : run.targetLabel, id: `${t.host}/${t.id}` };
}

/**
 * Names instead of container hashes: an entry's target resolved against the run's container, whose name the run
 * recorded when it started. A target that is neither that container nor an id is shown as recorded.
 */
export function shownTarget(target: string, run: RunRef | null, recordedId?: unknown): ShownTarget {
  const recorded = typeof recordedId === "string" ? recordedId : null;
  const label = LABEL.exec(target);
  const text = label ? label[1]! : target;
  const own = run ? runContainer(run) : null;
  // An id recorded with the entry is the truth: a same-named container that replaced the run's is not the run's.
  if (!own || (recorded !== null && recorded !== own.id)) return { text, id: recorded };
  const byId = ID_TARGET.exec(target);
  const isOwn =
    recorded === own.id || text === own.name || (byId !== null && own.id.startsWith(`${byId[1]}/${byId[2]}`));
  return isOwn ? { text: own.name, id: own.id } : { text, id: null };
}

/** The container or queue an entry is about, when it names one. */
export function entryTarget(e: RunbookEntry, run: RunRef | null): ShownTarget | null {
  const t = e.detail.target;
  if ((e.kind !== "created" && e.kind !== "action") || typeof t !== "string") return null;
  return shownTarget(t, run, e.detail.targetId);
}

/** An action entry's change in words, from the params and before value recorded with it (lib/change-label.ts). */
export function entryChangeLabel(e: RunbookEntry): string | null {
  // Entries recorded before params were kept say "ran <action>" as they did.
  if (e.kind !== "action" || e.detail.params === undefined) return null;
  return changeLabel({
    action: String(e.detail.action),
    actor: e.actor,
    params: e.detail.params,
    before: e.detail.before,
    outcome: String(e.detail.status),
  });
}

export function describeEntry(e: RunbookEntry, run: RunRef | null = null): string {
  const d = e.detail;
  const target = entryTarget(e, run)?.text ?? d.target;
  switch (e.kind) {
    case "created":
      return `started the ${d.kind} runbook for ${target}${d.alertId ? ` from alert ${d.alertId}` : ""}`;
    case "step":
      return `${d.done ? "marked" : "reopened"} step ${e.step}${d.note ? `: ${d.note}` : ""}`;
    case "note":
      return `note${e.step ? ` (${e.step})` : ""}: ${d.note}`;
    case "action": {
      // A container change says what it did: "raise to 2,000 for 15m", and the scheduler's "revert to 1,200 (time box)".
      const change = entryChangeLabel(e);
      const what = change
        ? `${isTimeboxRevert(e) ? "time box expired: " : ""}${change} on ${target} (${d.action})`
        : `ran ${d.action} on ${target}`;
      return `${what}: ${d.status}${d.finding ? ` (${d.finding})` : ""} — audit ${d.auditId}`;
    }
    case "verify":
      return `verify ${d.state}: ${d.detail}`;
    case "settings":
      return `changed settings: ${JSON.stringify(d.after)}`;
    case "closed":
      return "closed the run";
    default:
      return e.kind;
  }
}
