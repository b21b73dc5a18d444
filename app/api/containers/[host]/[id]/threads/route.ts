import { containerTarget } from "@/server/actions/container-target";
import { hostConfig } from "@/server/sources/lookup";
import { diagnoseThreads } from "@/server/docker/diagnose";
import { apiRoute } from "@/server/http/handle";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "viewer" }, async ({ params }) => {
  const t = containerTarget.parse({ host: params.host, id: params.id });
  return diagnoseThreads(hostConfig(t.host), t.id);
});
