import { apiRoute } from "@/server/http/handle";
import { containersNow } from "@/server/read-models";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async () => containersNow());
