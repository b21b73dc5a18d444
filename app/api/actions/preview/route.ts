import { actionRequestSchema, previewAction } from "@/server/actions/run";
import { apiRoute } from "@/server/http/handle";
import type { PreviewResponse } from "@/server/schemas/actions";

// Preview changes nothing, but it is POST with CSRF like the action itself: it reads live state on demand.
export const POST = apiRoute(
  { access: "viewer", mutating: true, body: actionRequestSchema },
  async ({ body, caller, ip }): Promise<PreviewResponse> =>
    previewAction(body, { username: caller.username, role: caller.role, ip }),
);
