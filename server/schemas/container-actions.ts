import { z } from "zod";

// Parameters of the container and cgroup actions, shared by the server, which validates with these schemas, and the
// action dialog, which takes its bounds and choices from them (no server-only: the browser imports this).

/** Signals the console may send to a container's main process; the Docker allow-list admits the same ones. */
export const ALLOWED_KILL_SIGNALS = ["SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGHUP"] as const;
export type AllowedSignal = (typeof ALLOWED_KILL_SIGNALS)[number];

export const MAX_PIDS = 4_194_304; // kernel pid_max ceiling

/** A pids limit (container.set-pids-limit, cgroup.set-pids-max). */
const pidsLimitSchema = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1 (null means unlimited)")
  .max(MAX_PIDS, `must be at most ${MAX_PIDS}, the kernel's pid_max ceiling`);

/** Revert a time-boxed change after this many seconds unless confirmed. */
export const timeboxSecondsSchema = z
  .number()
  .int()
  .min(30)
  .max(7 * 86400);

export const setLimitParams = z.object({
  /** null = unlimited. */
  limit: pidsLimitSchema.nullable(),
  revertAfterSeconds: timeboxSecondsSchema.optional(),
});

export const graceParams = z.object({ graceSeconds: z.number().int().min(0).max(600).default(10) });

export const signalParams = z.object({ signal: z.enum(ALLOWED_KILL_SIGNALS) });
