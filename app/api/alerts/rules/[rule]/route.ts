import { apiRoute } from "@/server/http/handle";
import { ruleBody, updateRule } from "@/server/alerts/service";

export const dynamic = "force-dynamic";

export const PUT = apiRoute(
  { access: "admin", mutating: true, body: ruleBody },
  async ({ params, caller, ip, body }) => ({
    rule: await updateRule(params.rule!, body, { username: caller.username, role: caller.role, ip }),
  }),
);
