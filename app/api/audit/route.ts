import { queryAudit } from "@/server/audit/access";
import { parseAuditQuery } from "@/server/audit/query-params";
import { apiRoute } from "@/server/http/handle";
import type { AuditListResponse } from "@/server/schemas/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async ({ req }) => {
  const page = await queryAudit(parseAuditQuery(req.url));
  return {
    entries: page.rows.map(({ intent: _i, outcomeEntry: _o, ...row }) => row),
    truncatedScan: page.truncatedScan,
  } satisfies AuditListResponse;
});
