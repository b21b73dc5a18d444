import { apiRoute } from "@/server/http/handle";
import { acknowledge } from "@/server/alerts/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ access: "operator", mutating: true }, async ({ params, caller, ip }) => ({
  alert: await acknowledge(params.id!, { username: caller.username, role: caller.role, ip }),
}));
