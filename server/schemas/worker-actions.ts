import { z } from "zod";

// Parameters of the worker pool actions, shared by the server, which validates with them, and the worker page's
// dialog, which takes its bounds from them (no server-only: the browser imports this).

/** worker.pool-grow and worker.pool-shrink: by how many processes. */
export const poolResizeParams = z.object({ n: z.number().int().min(1).max(64).default(1) });

/** worker.autoscale: the pool's new range. */
export const autoscaleShape = { max: z.number().int().min(1).max(512), min: z.number().int().min(0).max(512) };
export const autoscaleParams = z.object(autoscaleShape).refine((p) => p.min <= p.max, "min must not exceed max");
