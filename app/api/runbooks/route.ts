import { apiRoute } from "@/server/http/handle";
import { createBody, startRun } from "@/server/runbooks/service";
import { listRuns } from "@/server/runbooks/store";
import type { RunbookListResponse, StartRunbookResponse } from "@/server/schemas/runbooks";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  { access: "viewer" },
  async () => ({ runs: await listRuns() }) satisfies RunbookListResponse,
);

// Starts a run, or joins the open run for the same target (joined: true).
export const POST = apiRoute({ access: "operator", mutating: true, body: createBody }, async ({ caller, body }) => {
  const { run, joined } = await startRun(body, caller.username);
  return Response.json({ run, joined } satisfies StartRunbookResponse, { status: joined ? 200 : 201 });
});
