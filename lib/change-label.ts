import { fmtDurationInput } from "./format";

// A container change as people say it ("raise to 2,000 for 15m", "revert to 1,200 (time box)", "restart"), from the
// audit entry of the action: its name, actor, params and the outcome's before value. One wording for the pids chart's
// markers, the runbook timeline and the incident report. Tested in change-label.test.ts.

/** The actor the scheduler runs a due time-box revert as (server/actions/timebox-revert.ts). */
export const TIMEBOX_ACTOR = "system:timebox";

export interface ChangeFacts {
  action: string;
  actor: string;
  params: unknown;
  /** The outcome's `before` (set-pids-limit: the old limit, null = unlimited); undefined when not recorded. */
  before?: unknown;
  /** The outcome's result: "succeeded", "unverified", "failed", "unknown"... */
  outcome?: string;
}

const limitText = (v: unknown) =>
  v === null || v === "max" ? "unlimited" : typeof v === "number" ? v.toLocaleString("en-US") : "?";

function field(params: unknown, key: string): unknown {
  return params && typeof params === "object" ? (params as Record<string, unknown>)[key] : undefined;
}

const forBox = (seconds: unknown) =>
  typeof seconds === "number" && seconds > 0 ? ` for ${fmtDurationInput(seconds)}` : "";

/**
 * Raise, lower or set: by the new limit against the old one. Unlimited to a number is "set": the container's own
 * limit goes down, but a tighter ancestor cgroup may have been the effective one, so it may well be a raise.
 */
function direction(to: unknown, from: unknown): "raise" | "lower" | "set" {
  if (from === undefined || from === null || (typeof to !== "number" && to !== null)) return "set";
  if (to === from) return "set";
  if (to === null) return "raise";
  return typeof from === "number" && to > from ? "raise" : "lower";
}

function baseLabel(c: ChangeFacts): string | null {
  const system = c.actor === TIMEBOX_ACTOR;
  switch (c.action) {
    case "container.set-pids-limit": {
      const limit = field(c.params, "limit");
      if (system) return `revert to ${limitText(limit)} (time box)`;
      const box = forBox(field(c.params, "revertAfterSeconds"));
      const dir = direction(limit, c.before);
      // A time box is what the "Raise pids limit (time-boxed)" button sets: a raise unless it lowered a number.
      return `${box && dir === "set" ? "raise" : dir} to ${limitText(limit)}${box}`;
    }
    case "cgroup.set-pids-max": {
      const value = field(c.params, "value");
      if (system) return `revert cgroup cap to ${limitText(value)} (time box)`;
      return `cgroup cap to ${limitText(value)}${forBox(field(c.params, "timeboxSeconds"))}`;
    }
    case "container.confirm-pids-limit":
      return "keep raised limit";
    case "cgroup.confirm-pids-max":
      return "keep cgroup cap";
    case "container.restart":
      return "restart";
    case "container.stop":
      return "stop";
    case "container.start":
      return "start";
    case "container.signal": {
      const signal = field(c.params, "signal");
      return typeof signal === "string" ? `signal ${signal}` : "signal";
    }
    default:
      return null;
  }
}

/** The change in words, with "(failed)" when it did not happen; null for an action that changes no container. */
export function changeLabel(c: ChangeFacts): string | null {
  const label = baseLabel(c);
  if (label === null) return null;
  return c.outcome === "failed" ? `${label} (failed)` : label;
}

/** Whether the change is a time-box revert the scheduler ran (the runbook and report list it as the system's). */
export function isTimeboxRevert(c: Pick<ChangeFacts, "actor">): boolean {
  return c.actor === TIMEBOX_ACTOR;
}
