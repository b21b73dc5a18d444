import { passwordResetSchema, resetUserPassword } from "@/server/auth/user-admin";
import { apiRoute } from "@/server/http/handle";

// An admin sets a new password for a user (who is signed out everywhere). Audited in the service, without the password.
export const POST = apiRoute(
  { access: "admin", mutating: true, body: passwordResetSchema, maxBodyBytes: 4096 },
  async ({ params, body, caller, ip }) => {
    await resetUserPassword(params.id!, body.password, { caller: caller, ip });
    return { ok: true };
  },
);
