import { apiRoute } from "@/server/http/handle";
import { parsePresetRange } from "@/server/read-models";
import type { TaskTimingsResponse } from "@/server/schemas/tasks";
import { taskTimings } from "@/server/tasks/read";
import { ValidationError } from "@/server/errors";

export const dynamic = "force-dynamic";

// Task timings from Celery events: ?queue= (tasks seen on that queue) or ?task= (one task name), ?range=1h|24h|7d.
export const GET = apiRoute({ access: "viewer" }, async ({ req, params }) => {
  const q = new URL(req.url).searchParams;
  const queue = q.get("queue") ?? undefined;
  const task = q.get("task") ?? undefined;
  for (const [name, v] of [
    ["queue", queue],
    ["task", task],
  ] as const)
    if (v !== undefined && (v.length === 0 || v.length > 1024))
      throw new ValidationError(`${name} must be 1 to 1024 characters`);
  return (await taskTimings(params.broker!, parsePresetRange(req.url), { queue, task })) satisfies TaskTimingsResponse;
});
