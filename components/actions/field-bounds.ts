import { numberBounds } from "@/server/schemas/bounds";
import { graceParams, setLimitParams, timeboxSecondsSchema } from "@/server/schemas/container-actions";
import { moveCountSchema, retentionSecondsSchema } from "@/server/schemas/queue-actions";
import { autoscaleShape, poolResizeParams } from "@/server/schemas/worker-actions";

// Input bounds of the action dialogs' number fields, read once from the zod schemas the server validates the same
// parameters with: a dialog (on an entity's page or in a runbook) never offers what the server refuses.

export const PIDS_LIMIT = numberBounds(setLimitParams.shape.limit);
export const TIMEBOX_SECONDS = numberBounds(timeboxSecondsSchema);
export const GRACE_SECONDS = numberBounds(graceParams.shape.graceSeconds);
export const POOL_RESIZE_BY = numberBounds(poolResizeParams.shape.n);
export const AUTOSCALE_MAX = numberBounds(autoscaleShape.max);
export const AUTOSCALE_MIN = numberBounds(autoscaleShape.min);
export const MOVE_COUNT = numberBounds(moveCountSchema);
export const RETENTION_SECONDS = numberBounds(retentionSecondsSchema);
