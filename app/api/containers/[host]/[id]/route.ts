import { apiRoute } from "@/server/http/handle";
import { containerDetail, parseRange } from "@/server/read-models";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async ({ req, params }) =>
  containerDetail(params.host!, params.id!, parseRange(req.url)),
);
