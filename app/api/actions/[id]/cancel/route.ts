import { requestCancel } from "@/server/actions/run";
import { apiRoute } from "@/server/http/handle";

export const POST = apiRoute({ access: "operator", mutating: true }, async ({ params, caller, ip }) => {
  await requestCancel(params.id!, { username: caller.username, role: caller.role, ip });
  return { ok: true, auditId: params.id! };
});
