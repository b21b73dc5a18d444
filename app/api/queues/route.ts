import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/handle";
import { snapshot } from "@/server/live";
import type { QueuesResponse } from "@/server/schemas/api";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  { access: "viewer" },
  async () =>
    snapshot<QueuesResponse>("queues") ?? {
      brokers: getConfig().brokers.map((b) => ({
        name: b.name,
        ok: false,
        error: "not sampled yet",
        sampledAt: null,
        queues: [],
      })),
    },
);
