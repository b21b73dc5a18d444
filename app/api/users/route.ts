import { addUser } from "@/server/auth/user-admin";
import { listUsers, newUserSchema } from "@/server/auth/users";
import { apiRoute } from "@/server/http/handle";
import type { UsersResponse } from "@/server/schemas/accounts";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "admin" }, async () => ({ users: await listUsers() }) satisfies UsersResponse);

// Audited in the service before the change: a settings change that can't be recorded doesn't happen.
export const POST = apiRoute({ access: "admin", mutating: true, body: newUserSchema }, async ({ body, caller, ip }) => {
  const user = await addUser(body, { caller: caller, ip });
  return Response.json({ user }, { status: 201 });
});
