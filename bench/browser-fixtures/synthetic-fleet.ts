// 1,000 containers in the API's own shape (server/schemas), for the table bench: starting 1,000 real containers
// would measure Docker, not the table. A mix of statuses like a busy fleet; `tick` moves pids so updates differ.
import type { ContainersResponse } from "@/server/schemas/api";
import type { ContainerSummary, Status } from "@/server/schemas/containers";

const STATUS_CYCLE: Status[] = ["ok", "ok", "ok", "ok", "ok", "ok", "warn", "ok", "critical", "unknown"];

export function syntheticFleet(count: number, tick: number, nowMs = Date.now()): ContainersResponse {
  const containers: ContainerSummary[] = Array.from({ length: count }, (_, i) => {
    const status = STATUS_CYCLE[i % STATUS_CYCLE.length]!;
    const limit = i % 3 === 0 ? null : 512;
    const effectiveLimit = limit ?? (i % 2 ? 4096 : null);
    const current = 8 + ((i * 37 + tick * (i % 5)) % 400);
    const id = (i.toString(16).padStart(8, "0") + "c0ffee".repeat(10)).slice(0, 64);
    return {
      host: `host-${i % 4}`,
      id,
      name: `bench-worker-${String(i).padStart(4, "0")}`,
      image: i % 2 ? "langgenius/dify-api:1.9.1" : "celery-worker:latest",
      state: "running",
      labels: { "com.docker.compose.service": i % 2 ? "worker" : "api" },
      via: "cgroupfs",
      pids: {
        current,
        limit,
        effectiveLimit,
        limitSource: limit ? "container" : effectiveLimit ? "ancestor" : "none",
        limitPath: limit ? `/docker/${id}` : null,
        peak: current + 5,
        refusedTotal: status === "critical" ? 3 : 0,
      },
      growthPerMinute: status === "ok" ? 0 : 2.5,
      etaSeconds: status === "critical" ? 300 : status === "warn" ? 3600 : null,
      learningSeconds: null,
      status,
      reasons: status === "ok" ? [] : [`${status}: ${current} of ${effectiveLimit ?? "∞"} pids`],
      refusingNow: status === "critical" && i % 20 === 8,
      lastRefusalAt: status === "critical" ? nowMs : null,
      sampledAt: nowMs,
      spark: Array.from(
        { length: 30 },
        (_, k) => [nowMs - (30 - k) * 1000, Math.max(1, current - 30 + k)] as [number, number],
      ),
    };
  });
  const hosts = [0, 1, 2, 3].map((h) => ({
    name: `host-${h}`,
    ok: true,
    error: null,
    via: "cgroupfs" as const,
    sampledAt: nowMs,
  }));
  return { containers, hosts };
}
