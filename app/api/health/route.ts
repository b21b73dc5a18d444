import { instanceId, startedAt } from "@/server/instance";
import { pingDb } from "@/server/db";
import { jobStats } from "@/server/scheduler";
import { listSources } from "@/server/sources/status";
import type { HealthResponse } from "@/server/schemas/health";

export const dynamic = "force-dynamic";

// Public and always 200 while the process runs: load balancers and the status strip read each source's state here.
export async function GET(): Promise<Response> {
  await Promise.race([pingDb().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  const sources = listSources();
  return Response.json({
    status: sources.every((s) => s.ok) ? "ok" : "degraded",
    sources,
    instance: instanceId(),
    uptimeSeconds: Math.round((Date.now() - startedAt()) / 1000),
    // Each scheduled job's runs, failures and worst lateness: whether the sample interval holds under load.
    jobs: jobStats(),
  } satisfies HealthResponse);
}
