// Section 5 (rough): what holding the live snapshots costs the console's memory. Loads the 200 container summaries
// and 1,000 queue summaries the earlier sections produced with the real samplers, fills the per-container pids ring
// to a full hour (what a long-running console holds for forecasts) and 60-point queue sparklines, and publishes both
// snapshots through server/live. A bare Node process, not the Next.js server: only the delta means much.
import { readFileSync } from "node:fs";
import path from "node:path";
import { addPoint, sparkline } from "@/server/docker/history-ring";
import { publish } from "@/server/live";
import type { ContainersResponse, QueuesResponse } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { BrokerSummary } from "@/server/schemas/queues";
import { collectGarbage, memoryMiB, progress, runSection, scratchDir } from "../lib/section";
import { round } from "../lib/stats";

const INTERVAL_MS = 5000;
const RING_POINTS = 720; // one hour at the default 5 s interval
const SPARK_POINTS = 60;
const say = (m: string) => progress("memory", m);

function load<T>(name: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path.join(scratchDir(), name), "utf8")) as T;
  } catch {
    throw new Error(`${name} is missing: the memory section needs the ${what} section to run first in the same run`);
  }
}

runSection("memory", async () => {
  collectGarbage();
  const before = memoryMiB();
  let containers = load<ContainerSummary[]>("containers.json", "containers");
  let broker = load<BrokerSummary>("queues.json", "queues");
  const nowMs = Date.now();
  for (const c of containers) {
    const base = c.pids.current ?? 5;
    let entry = addPoint(c.host, c.id, nowMs - RING_POINTS * INTERVAL_MS, base);
    for (let i = RING_POINTS - 1; i >= 0; i--) entry = addPoint(c.host, c.id, nowMs - i * INTERVAL_MS, base + (i % 3));
    c.spark = sparkline(entry.points);
  }
  for (const q of broker.queues)
    q.spark = Array.from({ length: SPARK_POINTS }, (_, i) => [nowMs - (SPARK_POINTS - i) * INTERVAL_MS, q.depth]);
  const containersSnapshot: ContainersResponse = {
    containers,
    hosts: [{ name: "local", ok: true, error: null, via: "cgroupfs", sampledAt: nowMs }],
  };
  const queuesSnapshot: QueuesResponse = { brokers: [broker] };
  publish("containers", containersSnapshot);
  publish("queues", queuesSnapshot);
  const jsonBytes = {
    containers: JSON.stringify(containersSnapshot).length,
    queues: JSON.stringify(queuesSnapshot).length,
  };
  // Only server/live and the pids ring hold them now.
  containers = [];
  broker = { ...broker, queues: [] };
  collectGarbage();
  const after = memoryMiB();
  say(`RSS ${before.rssMiB} -> ${after.rssMiB} MiB, heap ${before.heapUsedMiB} -> ${after.heapUsedMiB} MiB`);
  return {
    containers: containersSnapshot.containers.length,
    queues: queuesSnapshot.brokers[0]?.queues.length ?? 0,
    ringPointsPerContainer: RING_POINTS,
    sparkPointsPerQueue: SPARK_POINTS,
    before,
    after,
    rssDeltaMiB: round(after.rssMiB - before.rssMiB),
    heapDeltaMiB: round(after.heapUsedMiB - before.heapUsedMiB),
    snapshotJsonBytes: jsonBytes,
  };
});
