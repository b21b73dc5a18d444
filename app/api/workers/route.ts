import { apiRoute } from "@/server/http/handle";
import { snapshot } from "@/server/live";
import type { WorkersResponse } from "@/server/schemas/api";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async () => snapshot<WorkersResponse>("workers") ?? { workers: [] });
