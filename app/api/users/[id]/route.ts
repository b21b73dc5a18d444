import { removeUser, updateUser, userPatchSchema } from "@/server/auth/user-admin";
import { apiRoute } from "@/server/http/handle";

// Disable or enable a user, change their role (either ends their sessions), or delete them. Audited in the service.
export const PATCH = apiRoute(
  { access: "admin", mutating: true, body: userPatchSchema },
  async ({ params, body, caller, ip }) => ({
    user: await updateUser(params.id!, body, { caller: caller, ip }),
  }),
);

export const DELETE = apiRoute({ access: "admin", mutating: true }, async ({ params, caller, ip }) => {
  await removeUser(params.id!, { caller: caller, ip });
  return { ok: true };
});
