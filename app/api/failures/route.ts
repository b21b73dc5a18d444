import { roleAllows } from "@/server/auth/roles";
import { ValidationError } from "@/server/errors";
import { failuresView } from "@/server/failures/view";
import { apiRoute } from "@/server/http/handle";
import { failuresQuery, type FailuresResponse } from "@/server/schemas/failures";

export const dynamic = "force-dynamic";

// Failed, retried and revoked tasks the console read from result backends, grouped by task and exception type.
// Filters are exact (broker, task, exc, queue, worker, status, sinceHours); arguments only for an admin with
// showTaskArguments on, as on the queue page.
export const GET = apiRoute({ access: "viewer" }, async ({ req, caller }) => {
  const parsed = failuresQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success)
    throw new ValidationError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; "),
    );
  return (await failuresView(parsed.data, roleAllows(caller!.role, "admin"))) satisfies FailuresResponse;
});
