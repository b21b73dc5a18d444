import { roleAllows } from "@/server/auth/roles";
import { failureDetail } from "@/server/failures/view";
import { apiRoute } from "@/server/http/handle";
import type { FailureDetail } from "@/server/schemas/failures";

export const dynamic = "force-dynamic";

// One recorded failure with its traceback and, when it cannot be retried, what is missing.
export const GET = apiRoute(
  { access: "viewer" },
  async ({ params, caller }) =>
    (await failureDetail(params.broker!, params.taskId!, roleAllows(caller!.role, "admin"))) satisfies FailureDetail,
);
