import { queryAudit } from "@/server/audit/access";
import { toCsv, toJson } from "@/server/audit/export";
import { apiRoute } from "@/server/http/handle";
import { parseAuditQuery } from "@/server/audit/query-params";

export const dynamic = "force-dynamic";

// ?format=csv|json with the same filters as GET /api/audit (limit up to 1,000 rows per export).
export const GET = apiRoute({ access: "viewer" }, async ({ req }) => {
  const format = new URL(req.url).searchParams.get("format") === "json" ? "json" : "csv";
  const q = parseAuditQuery(req.url);
  const { rows } = await queryAudit({ ...q, limit: Math.max(q.limit, 1000) });
  const body = format === "json" ? toJson(rows) : toCsv(rows);
  return new Response(body, {
    headers: {
      "content-type": format === "json" ? "application/json" : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="leakwatch-audit.${format}"`,
    },
  });
});
