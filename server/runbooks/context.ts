import "server-only";
import { existsSync } from "node:fs";
import path from "node:path";
import { brokerConfig, hostConfig, liveQueue } from "@/server/sources/lookup";
import { getQueueDetail } from "@/server/celery/sampler";
import { getConfig } from "@/server/config";
import { cgroupWriteAvailability } from "@/server/docker/cgroup-write";
import { diagnoseThreads, getCgroupDetail } from "@/server/docker/diagnose";
import { snapshot } from "@/server/live";
import type { ContainersResponse, WorkersResponse } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";
import { limitAdvice } from "./host-commands";
import { mappedQueues, workersInContainer } from "./queue-map";
import type { DiagnosisCapture, QueueBacklogContext, RunbookRun, ThreadLeakContext } from "./types";

// What a run's Detect and Diagnose steps show beyond the live snapshots: the cgroup chain and host-side advice
// (thread leak), or the queue's consumers, lost workers and backlog composition (queue backlog).

export function liveContainer(host: string, id: string): ContainerSummary | undefined {
  return snapshot<ContainersResponse>("containers")?.containers.find(
    (c) => c.host === host && (c.id === id || c.id.startsWith(id) || c.name === id),
  );
}

const workersNow = () => snapshot<WorkersResponse>("workers")?.workers ?? [];

async function threadLeak(host: string, id: string): Promise<ThreadLeakContext> {
  const cfg = getConfig();
  const c = liveContainer(host, id);
  const cg = await getCgroupDetail(hostConfig(host), c?.id ?? id).catch(() => null);
  const hierarchy = existsSync(path.join(cfg.cgroupRoot, "pids", "cgroup.procs")) ? "v1" : "v2";
  const pids = cg?.pids ? { ...cg.pids, current: c?.pids.current ?? cg.pids.current } : (c?.pids ?? null);
  const advice =
    cg && pids
      ? limitAdvice({
          containerId: c?.id ?? id,
          containerName: c?.name ?? id,
          pids,
          detail: cg.detail,
          hierarchy,
          cgroupRoot: "/sys/fs/cgroup",
        })
      : null;
  const workers = c ? workersInContainer(c, workersNow()) : [];
  const queues = c ? mappedQueues(c, workersNow(), cfg.brokers[0]?.name ?? "default") : [];
  const cgroupWrite = await cgroupWriteAvailability(cfg);
  return { kind: "thread-leak", cgroup: cg?.detail ?? null, pids, advice, queues, workers, cgroupWrite };
}

async function queueBacklog(broker: string, queue: string): Promise<QueueBacklogContext> {
  const summary = liveQueue(broker, queue) ?? null;
  const all = workersNow().filter((w) => w.broker === broker);
  const detail = await getQueueDetail(brokerConfig(broker), queue, { showArgs: false }).catch(() => null);
  return {
    kind: "queue-backlog",
    // The sampler's row, with the pause the live snapshot carries.
    queue: detail?.summary ? { ...detail.summary, ...(summary?.paused ? { paused: summary.paused } : {}) } : summary,
    consumers: all.filter((w) => w.alive && w.queues.includes(queue)),
    goneWorkers: all.filter((w) => !w.alive && w.queues.includes(queue)),
    liveWorkers: all.filter((w) => w.alive),
    composition: detail ? { sampled: detail.composition.sampled, groups: detail.composition.byTask } : null,
  };
}

export async function runContext(run: RunbookRun): Promise<ThreadLeakContext | QueueBacklogContext> {
  const t = run.target;
  if ("host" in t) return threadLeak(t.host, t.id);
  return queueBacklog(t.broker, t.queue);
}

/** The context plus (thread leak) the thread diagnosis, as the Diagnose step saw it: kept for the report. */
export async function captureDiagnosis(run: RunbookRun): Promise<DiagnosisCapture> {
  const context = await runContext(run);
  if (!("host" in run.target)) return { context };
  const t = run.target;
  const threads = await diagnoseThreads(hostConfig(t.host), liveContainer(t.host, t.id)?.id ?? t.id).catch(() => null);
  return {
    context,
    threads: threads && {
      source: threads.source,
      totalThreads: threads.totalThreads,
      processes: threads.processes.slice(0, 10),
      groups: threads.groups.slice(0, 10),
      names: threads.names.slice(0, 10),
      logSignatures: threads.logSignatures.slice(0, 10),
    },
  };
}
