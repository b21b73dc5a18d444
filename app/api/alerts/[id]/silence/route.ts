import { apiRoute } from "@/server/http/handle";
import { silence, silenceBody, unsilence } from "@/server/alerts/service";

export const dynamic = "force-dynamic";

// Silence until a time, with a comment; DELETE lifts it early.
export const POST = apiRoute(
  { access: "operator", mutating: true, body: silenceBody },
  async ({ params, caller, ip, body }) => ({
    alert: await silence(params.id!, body, { username: caller.username, role: caller.role, ip }),
  }),
);

export const DELETE = apiRoute({ access: "operator", mutating: true }, async ({ params, caller, ip }) => ({
  alert: await unsilence(params.id!, { username: caller.username, role: caller.role, ip }),
}));
