import { apiRoute } from "@/server/http/handle";
import { actionBody, recordAction, runView } from "@/server/runbooks/service";

export const dynamic = "force-dynamic";

// Links an action the caller ran (through /api/actions) to this run; its outcome is read from the audit log.
export const POST = apiRoute(
  { access: "operator", mutating: true, body: actionBody },
  async ({ params, caller, body }) => {
    await recordAction(params.id!, body.auditId, caller.username);
    return runView(params.id!);
  },
);
