import { z } from "zod";

// Parameters of the queue actions, shared by the server, which validates with these schemas, and the queue page's
// and runbooks' dialogs, which take their bounds from them (no server-only: the browser imports this).

/** queue.move: at most this many messages (the action also takes "all", or empty for all). */
export const moveCountSchema = z.number().int().min(1).max(10_000_000);

export const QUARANTINE_RETENTION_DEFAULT_SECONDS = 7 * 86400;

/** How long a quarantine is kept (queue.purge, queue.quarantine-messages). */
export const retentionSecondsSchema = z
  .number()
  .int()
  .min(3600)
  .max(90 * 86400)
  .default(QUARANTINE_RETENTION_DEFAULT_SECONDS);
