import { verifyOwnAudit } from "@/server/audit/access";
import { apiRoute } from "@/server/http/handle";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async () => verifyOwnAudit());
