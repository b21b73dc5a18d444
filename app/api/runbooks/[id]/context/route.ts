import { apiRoute } from "@/server/http/handle";
import { NotFoundError } from "@/server/errors";
import { runContext } from "@/server/runbooks/context";
import { getRun } from "@/server/runbooks/store";

export const dynamic = "force-dynamic";

// The Detect/Diagnose context: cgroup chain and host-side advice, or the queue's consumers and lost workers.
export const GET = apiRoute({ access: "viewer" }, async ({ params }) => {
  const run = await getRun(params.id!);
  if (!run) throw new NotFoundError(`No runbook run ${params.id}.`);
  return runContext(run);
});
