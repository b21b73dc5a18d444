import { apiRoute } from "@/server/http/handle";
import { markStep, runView, stepBody } from "@/server/runbooks/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute(
  { access: "operator", mutating: true, body: stepBody },
  async ({ params, caller, body }) => {
    await markStep(params.id!, body, caller.username);
    return runView(params.id!);
  },
);
