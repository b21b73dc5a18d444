import { revokeToken } from "@/server/auth/user-admin";
import { apiRoute } from "@/server/http/handle";

export const DELETE = apiRoute({ access: "admin", mutating: true }, async ({ params, caller, ip }) => {
  await revokeToken(params.id!, { caller, ip });
  return { ok: true };
});
