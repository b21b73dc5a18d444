import { cancelAction } from "@/server/actions/run";
import { auditEvent } from "@/server/audit/service";
import { NotFoundError } from "@/server/errors";
import { apiRoute } from "@/server/http/handle";

export const POST = apiRoute({ access: "operator", mutating: true }, async ({ params, caller, ip }) => {
  const id = params.id!;
  await auditEvent({
    kind: "action-cancel",
    actor: caller.username,
    role: caller.role,
    sourceIp: ip,
    action: "cancel",
    target: id,
    detail: null,
  });
  if (!cancelAction(id)) throw new NotFoundError(`No running action ${id} (finished already?).`);
  return { ok: true, auditId: id };
});
