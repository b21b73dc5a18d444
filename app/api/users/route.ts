import { auditEvent } from "@/server/audit/service";
import { createUser, listUsers, newUserSchema } from "@/server/auth/users";
import { apiRoute } from "@/server/http/handle";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "admin" }, async () => ({ users: await listUsers() }));

export const POST = apiRoute({ access: "admin", mutating: true, body: newUserSchema }, async ({ body, caller, ip }) => {
  // Audited before the change: a settings change that can't be recorded doesn't happen.
  await auditEvent({ kind: "settings", actor: caller!.username, role: caller!.role, sourceIp: ip, action: "user.create", target: body.username, params: { role: body.role }, detail: null });
  const user = await createUser(body);
  return Response.json({ user }, { status: 201 });
});
