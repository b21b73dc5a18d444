import { apiRoute } from "@/server/http/handle";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async ({ caller }) => ({
  user: { username: caller.username, role: caller.role, via: caller.via },
  role: caller.role,
  csrfToken: caller.csrfToken,
}));
