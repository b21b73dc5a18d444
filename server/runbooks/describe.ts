// One timeline entry in words; shared by the run page and the report (no server-only: the browser uses it).
import type { RunbookEntry } from "./types";

export function describeEntry(e: RunbookEntry): string {
  const d = e.detail;
  switch (e.kind) {
    case "created":
      return `started the ${d.kind} runbook for ${d.target}${d.alertId ? ` from alert ${d.alertId}` : ""}`;
    case "step":
      return `${d.done ? "marked" : "reopened"} step ${e.step}${d.note ? `: ${d.note}` : ""}`;
    case "note":
      return `note${e.step ? ` (${e.step})` : ""}: ${d.note}`;
    case "action":
      return `ran ${d.action} on ${d.target}: ${d.status}${d.finding ? ` (${d.finding})` : ""} — audit ${d.auditId}`;
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
