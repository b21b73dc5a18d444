import { metricsText } from "@/server/metrics";
import { apiRoute } from "@/server/http/handle";

export const dynamic = "force-dynamic";

// Prometheus scrapes with an API token (Authorization: Bearer), like any other reader.
export const GET = apiRoute({ access: "viewer" }, async () => {
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { "content-type": contentType } });
});
