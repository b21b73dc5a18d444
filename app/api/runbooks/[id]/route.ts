import { apiRoute } from "@/server/http/handle";
import { changeSettings, runView, settingsBody } from "@/server/runbooks/service";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async ({ params }) => runView(params.id!));

export const PATCH = apiRoute(
  { access: "operator", mutating: true, body: settingsBody },
  async ({ params, caller, body }) => {
    await changeSettings(params.id!, body, caller.username);
    return runView(params.id!);
  },
);
