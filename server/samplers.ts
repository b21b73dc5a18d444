import "server-only";
import type { AppConfig } from "@/server/config";
import { sampleBroker } from "@/server/celery/sampler";
import { knownWorkers } from "@/server/celery/workers";
import { recordWorkersSeen } from "@/server/history/workers";
import { sampleHost } from "@/server/docker/sampler";
import { RESET_ACTIONS, subscribeEvents } from "@/server/docker/events";
import { claimSeed, seedEntry } from "@/server/docker/history-ring";
import { mapLimit } from "@/server/docker/map-limit";
import { errorMessage } from "@/server/errors";
import {
  containerEvents,
  containerHistory,
  recordContainerEvent,
  recordContainerSamples,
  pruneContainerEvents,
} from "@/server/history/containers";
import { tryLease } from "@/server/history/lease";
import { recordQueueSamples } from "@/server/history/queues";
import { compact } from "@/server/history/retention";
import { publish, snapshot } from "@/server/live";
import { log } from "@/server/log";
import type { ContainersResponse, HostState, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { BrokerSummary, WorkerSummary } from "@/server/schemas/queues";
import { markSource } from "@/server/sources/status";
import { emit } from "@/server/bus";
import { revertDueTimeboxes } from "@/server/actions/timebox-revert";
import { enforcePauses } from "@/server/actions/pause-enforce";
import { readPauses, withPauses } from "@/server/actions/pause-snapshot";
import type { QueuePause } from "@/server/schemas/queues";
import { runAlertPass } from "@/server/alerts/pass";
import { checkOpenRuns } from "@/server/runbooks/verify-pass";
import { pruneSessions } from "@/server/auth/sessions";
import { processState } from "@/server/process-state";
import { readResultBackend } from "@/server/failures/pass";
import { taskEventsPass } from "@/server/tasks/pass";
import { compactTaskPoints } from "@/server/tasks/store";
import { flushSeenMessages, pruneSeenMessages } from "@/server/failures/seen";

// Wires the samplers to the scheduler: each pass updates the live snapshot (every instance), and the holder
// of the history lease writes history rows (one writer across instances sharing a database).

type Schedule = (name: string, intervalMs: number, run: () => Promise<void>) => void;

const state = () =>
  processState("samplers", () => ({
    leader: false,
    queueSparks: new Map<string, [number, number][]>(),
    alertChain: Promise.resolve(),
  }));
const isLeader = () => state().leader;
const SPARK_POINTS = 60;

async function sampleContainers(cfg: AppConfig): Promise<void> {
  const hosts: HostState[] = [];
  const containers: ContainerSummary[] = [];
  const previous = snapshot<ContainersResponse>("containers");
  await Promise.all(
    cfg.dockerHosts.map(async (h) => {
      const s = await sampleHost(h).catch(
        (e) => ({ ok: false, error: errorMessage(e), containers: [], via: null }) as const,
      );
      markSource("docker", h.name, s.ok, s.error);
      if (s.ok) {
        hosts.push({ name: h.name, ok: true, error: null, via: s.via, sampledAt: Date.now() });
        containers.push(...s.containers);
      } else {
        // Down: keep the last good values (their sampledAt tells their age).
        const last = previous?.hosts.find((x) => x.name === h.name);
        hosts.push({
          name: h.name,
          ok: false,
          error: s.error ?? "unknown error",
          via: last?.via ?? null,
          sampledAt: last?.sampledAt ?? null,
        });
        containers.push(...(previous?.containers.filter((c) => c.host === h.name) ?? []));
      }
    }),
  );
  hosts.sort((a, b) => a.name.localeCompare(b.name));
  publish("containers", { containers, hosts } satisfies ContainersResponse);
  const fresh = containers.filter((c) => hosts.find((h) => h.name === c.host)?.ok);
  void seedForecasts(fresh);
  if (isLeader())
    await recordContainerSamples(fresh).catch((e) => log.warn({ err: e }, "could not write container history"));
}

/**
 * Containers this process has just started watching get their last hour back from the store, so a console restart
 * (or a new instance) does not blank every forecast for a minute. In the background, a few at a time.
 */
async function seedForecasts(list: ContainerSummary[]): Promise<void> {
  const todo = list.filter((c) => claimSeed(c.host, c.id));
  if (todo.length === 0) return;
  await mapLimit(todo, 8, async (c) => {
    try {
      const since = Date.now() - 3600_000;
      const [history, events] = await Promise.all([
        containerHistory(c.host, c.id, "1h"),
        containerEvents(c.host, c.id, since),
      ]);
      const points = history
        .filter((p) => p.res === 0 && p.current !== null)
        .map((p) => [p.ts, p.current!] as [number, number]);
      seedEntry(
        c.host,
        c.id,
        points,
        events.filter((e) => RESET_ACTIONS.has(e.action)).map((e) => e.ts),
      );
    } catch (e) {
      log.debug({ err: e, container: c.name }, "could not seed the forecast from history");
    }
  });
}

/** The broker with its depth trail; `keep: false` shows the new point without storing it (an early summary). */
function withSparks(b: BrokerSummary, keep = true): BrokerSummary {
  if (!b.ok || !b.sampledAt) return b;
  return {
    ...b,
    queues: b.queues.map((q) => {
      const key = `${b.name}\u0000${q.name}`;
      const stored = state().queueSparks.get(key) ?? [];
      const trail = keep ? stored : [...stored];
      if (trail[trail.length - 1]?.[0] !== b.sampledAt) trail.push([b.sampledAt!, q.depth]);
      if (trail.length > SPARK_POINTS) trail.splice(0, trail.length - SPARK_POINTS);
      if (keep) state().queueSparks.set(key, trail);
      return { ...q, spark: trail };
    }),
  };
}

async function sampleQueues(cfg: AppConfig): Promise<void> {
  // Depths go out as soon as every broker has read them (sampleBroker's onDepths), without waiting for the pidbox
  // round; the full summaries (worker replies merged in) replace them when it ends.
  const early = new Map<string, BrokerSummary>();
  let earlyOpen = true;
  // Paused queues from the store, once per pass; when it cannot be read, the rows keep the pauses they showed.
  const pauses = (await readPauses()) ?? lastPauses();
  const paused = (s: BrokerSummary) => withPauses(s, pauses);
  const brokers = await Promise.all(
    cfg.brokers.map(async (b) => {
      const s = await sampleBroker(b, {
        onDepths: (e) => {
          early.set(b.name, withSparks(paused(e), false));
          if (!earlyOpen || early.size < cfg.brokers.length) return;
          earlyOpen = false;
          publish("queues", { brokers: cfg.brokers.map((x) => early.get(x.name)!) } satisfies QueuesResponse);
        },
      });
      // A broker that failed or finished first stands in for its early summary.
      early.set(b.name, withSparks(paused(s), false));
      markSource("redis", b.name, s.ok, s.error ?? undefined);
      // Task messages the pass saw (insert if absent, so any instance may write them; see server/failures/seen.ts).
      await flushSeenMessages(b.name);
      if (s.ok && isLeader()) {
        await recordQueueSamples(s).catch((e) => log.warn({ err: e }, "could not write queue history"));
        // In the background: each stray consumer costs a pidbox round, which must not hold up the next pass.
        void enforcePauses(s, pauses).catch((e) => log.warn({ err: e }, "pause enforcement failed"));
      }
      return withSparks(paused(s));
    }),
  );
  earlyOpen = false;
  publish("queues", { brokers } satisfies QueuesResponse);
  await publishWorkers(cfg, pauses);
}

function lastPauses(): QueuePause[] {
  return snapshot<WorkersResponse>("workers")?.paused ?? [];
}

/** The queue pass already asked every worker (pidbox); publish what it learnt without asking again. */
async function publishWorkers(cfg: AppConfig, paused: QueuePause[]): Promise<void> {
  const workers: WorkerSummary[] = cfg.brokers.flatMap((b) => knownWorkers(b.name));
  publish("workers", { workers, paused } satisfies WorkersResponse);
  if (isLeader()) await recordWorkersSeen(workers).catch((e) => log.warn({ err: e }, "could not record workers"));
}

/**
 * After each sampler pass the leader evaluates alerts, then checks open runbooks' verify against the same samples.
 * One at a time: the container and queue passes may end together, and two checks would write a verdict twice.
 */
function afterSamplePass(): Promise<void> {
  if (!isLeader()) return Promise.resolve();
  const next = state().alertChain.then(async () => {
    const now = Date.now();
    await runAlertPass(now);
    await checkOpenRuns(now).catch((e) => log.warn({ err: e }, "runbook verify pass failed"));
  });
  state().alertChain = next;
  return next;
}

export function startSamplers(cfg: AppConfig, instance: string, schedule: Schedule): void {
  const interval = cfg.sampleIntervalMs;
  const leaseTtl = Math.max(15_000, interval * 4);
  schedule("lease", Math.max(1000, Math.floor(leaseTtl / 3)), async () => {
    const was = isLeader();
    state().leader = await tryLease("history-writer", instance, leaseTtl).catch(() => false);
    if (was !== isLeader()) log.info({ instance, leader: isLeader() }, "history writer lease changed");
  });
  schedule("containers", interval, () => sampleContainers(cfg).then(afterSamplePass));
  schedule("queues", interval, () => sampleQueues(cfg).then(afterSamplePass));
  // Result backends: only the history writer reads them (the store is shared; a second reader would only repeat it).
  if (cfg.brokers.some((b) => b.resultBackend))
    schedule("results", interval, async () => {
      if (!isLeader()) return;
      await Promise.all(
        cfg.brokers.map((b) =>
          readResultBackend(b).catch((e) => log.debug({ broker: b.name, err: e }, "result backend pass failed")),
        ),
      );
    });
  schedule("compact", 5 * 60_000, async () => {
    if (!isLeader()) return;
    await compact("container_points");
    await compact("queue_points");
    await compactTaskPoints();
    await pruneContainerEvents();
    await pruneSeenMessages().catch((e) => log.warn({ err: e }, "could not prune seen task messages"));
  });
  // Expired sessions are refused when presented; this deletes the ones never presented again. Idempotent, so every
  // instance may run it: no lease needed.
  schedule("sessions", 10 * 60_000, pruneSessions);
  schedule("timeboxes", 5000, revertDueTimeboxes);
  schedule("task-events", 5000, () => taskEventsPass(cfg.brokers, isLeader()));
  for (const h of cfg.dockerHosts) {
    subscribeEvents(
      h,
      (e) => {
        emit("events", e);
        if (isLeader())
          void recordContainerEvent(e.host, e.containerId, e).catch((err) =>
            log.warn({ err }, "could not record a Docker event"),
          );
      },
      (s) => {
        if (!s.connected && s.error) log.debug({ host: h.name, error: s.error }, "docker events stream down");
      },
    );
  }
}
