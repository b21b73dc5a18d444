import { apiRoute } from "@/server/http/handle";
import type { WorkerDetailResponse } from "@/server/schemas/api";
import { workerDetail } from "@/server/workers/detail";

export const dynamic = "force-dynamic";

// One worker: summary, last heartbeat, and the queues it consumes with their depth.
export const GET = apiRoute(
  { access: "viewer" },
  async ({ params }) => workerDetail(params.broker!, params.hostname!) satisfies WorkerDetailResponse,
);
