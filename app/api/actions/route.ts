import { actionRequestSchema, runAction } from "@/server/actions/run";
import { listActionsAvailable } from "@/server/actions/registry";
import { apiRoute } from "@/server/http/handle";
import type { RunResponse } from "@/server/schemas/actions";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async () => ({ actions: await listActionsAvailable() }));

// Role per action is checked inside runAction; the route lets viewers reach it so a denial is audited there too.
export const POST = apiRoute(
  { access: "viewer", mutating: true, body: actionRequestSchema },
  async ({ body, caller, ip }) => {
    const outcome = await runAction(body, { username: caller.username, role: caller.role, ip });
    return {
      auditId: outcome.auditId,
      status: outcome.status,
      result: outcome.result,
      verify: outcome.verify,
      error: outcome.error ?? null,
    } satisfies RunResponse;
  },
);
