import { auditEvent } from "@/server/audit/service";
import { revokeApiToken } from "@/server/auth/tokens";
import { apiRoute } from "@/server/http/handle";

export const DELETE = apiRoute({ access: "admin", mutating: true }, async ({ params, caller, ip }) => {
  await auditEvent({
    kind: "settings",
    actor: caller.username,
    role: caller.role,
    sourceIp: ip,
    action: "token.revoke",
    target: params.id!,
    detail: null,
  });
  await revokeApiToken(params.id!);
  return { ok: true };
});
