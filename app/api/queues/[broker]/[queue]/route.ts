import { roleAllows } from "@/server/auth/roles";
import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/handle";
import { parseRange, queueDetail } from "@/server/read-models";

export const dynamic = "force-dynamic";

// Task arguments can hold secrets: shown only when an admin turned them on and an admin asks.
export const GET = apiRoute({ access: "viewer" }, async ({ req, params, caller }) => {
  const wantArgs = new URL(req.url).searchParams.get("args") === "1";
  const showArgs = wantArgs && getConfig().showTaskArguments && roleAllows(caller.role, "admin");
  return queueDetail(params.broker!, params.queue!, parseRange(req.url), showArgs);
});
