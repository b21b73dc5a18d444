import { queryAudit } from "@/server/audit/access";
import { NotFoundError, ValidationError } from "@/server/errors";
import { apiRoute } from "@/server/http/handle";
import type { AuditEntryResponse } from "@/server/schemas/audit";

export const dynamic = "force-dynamic";

// One audit entry, whole: what the audit page's entry panel shows. Values were redacted when the entry was written.
export const GET = apiRoute({ access: "viewer" }, async ({ params }) => {
  const id = params.id!;
  if (id.length > 100) throw new ValidationError("An audit id is at most 100 characters");
  const page = await queryAudit({ id, limit: 1 });
  const row = page.rows[0];
  if (!row) throw new NotFoundError(`No audit entry ${id}${page.truncatedScan ? " in the newest 200,000 lines" : ""}`);
  const { intent, outcomeEntry, ...entry } = row;
  return {
    entry,
    intent: intent as Record<string, unknown> | null,
    outcome: outcomeEntry as Record<string, unknown> | null,
  } satisfies AuditEntryResponse;
});
