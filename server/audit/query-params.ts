import "server-only";
import { z } from "zod";

// Audit filters from a URL's query string (the audit page, GET /api/audit and the export share them).
const auditQuerySchema = z.object({
  /** One entry by its audit id (exact): the audit page's link to an entry. */
  id: z.string().trim().min(1).max(100).optional(),
  actor: z.string().max(200).optional(),
  // Substrings, any case (server/audit/query.ts); bounded like the fields they search.
  action: z.string().trim().min(1).max(200).optional(),
  target: z.string().trim().min(1).max(500).optional(),
  outcome: z.string().max(50).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export function parseAuditQuery(url: string) {
  const raw: Record<string, string> = {};
  for (const [k, v] of new URL(url).searchParams) if (v.trim() !== "" && k !== "format") raw[k] = v;
  return auditQuerySchema.parse(raw);
}
