import "server-only";
import { z } from "zod";
import { containerTarget } from "@/server/actions/container-target";
import { pendingTimeboxFor } from "@/server/actions/timebox";
import { brokerConfig, hostConfig, liveQueue } from "@/server/sources/lookup";
import { getConfig } from "@/server/config";
import { firstSeenLookup, getQueueDetail } from "@/server/celery/sampler";
import { readMessagePage } from "@/server/celery/browse";
import { flushSeenMessages, noteSeenMessage } from "@/server/failures/seen";
import { withBroker } from "@/server/celery/connections";
import { layoutOf } from "@/server/celery/kombu-keys";
import type { MessagePageResponse, MessageQuery } from "@/server/schemas/messages";
import type { Role } from "@/server/auth/roles";
import { roleAllows } from "@/server/auth/roles";
import { quarantinesOf } from "@/server/actions/queue";
import { getCgroupDetail } from "@/server/docker/diagnose";
import { dockerFor } from "@/server/docker/endpoints";
import { NotFoundError, ValidationError } from "@/server/errors";
import { asAppError } from "@/server/http/handle";
import { containerEvents, containerHistory } from "@/server/history/containers";
import { queueHistory } from "@/server/history/queues";
import { containerChanges } from "@/server/audit/container-changes";
import { parseChartRange, rangeWindow, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
import { snapshot } from "@/server/live";
import type {
  ContainerDetailResponse,
  ContainersResponse,
  QueueDetailResponse,
  WorkersResponse,
} from "@/server/schemas/api";

// What the read API returns, assembled from the live snapshot (never waiting on a slow source) plus history.

/** ?range=1h|24h|7d or a custom ?from=&to= window within the stored history (server/schemas/ranges.ts). */
export function parseRange(url: string, nowMs = Date.now()): ChartRange {
  const r = parseChartRange(new URL(url).searchParams, nowMs);
  if (!r.ok) throw new ValidationError(r.error);
  return r.range;
}

/** Task timings are kept as presets only (server/tasks/store.ts): a custom window is refused, not read as 1h. */
export function parsePresetRange(url: string): HistoryRange {
  const r = parseRange(url);
  if (r.kind !== "preset") throw new ValidationError("Task timings take range=1h, 24h or 7d, not a from/to window.");
  return r.range;
}

export function containersNow(): ContainersResponse {
  return (
    snapshot<ContainersResponse>("containers") ?? {
      containers: [],
      hosts: getConfig().dockerHosts.map((h) => ({
        name: h.name,
        ok: false,
        error: "not sampled yet",
        via: null,
        sampledAt: null,
      })),
    }
  );
}

/**
 * For the container page's status code: false when the endpoint or the container is unknown to Docker (the page is a
 * real 404). True when it is live, stopped (inspect finds it), or the endpoint cannot be asked right now: the page
 * then renders and shows what it can, as every page does while a source is down.
 */
export async function containerKnown(host: string, id: string): Promise<boolean> {
  if (!containerTarget.safeParse({ host, id }).success) return false;
  if (!getConfig().dockerHosts.some((h) => h.name === host)) return false;
  const live = containersNow().containers.some(
    (c) => c.host === host && (c.id === id || c.id.startsWith(id) || c.name === id),
  );
  if (live) return true;
  try {
    await dockerFor(hostConfig(host)).inspectContainer(id);
    return true;
  } catch (e) {
    // By shape: the Docker client may come from another bundle's copy of server/errors.ts.
    return asAppError(e)?.code !== "not_found";
  }
}

export async function containerDetail(host: string, id: string, range: ChartRange): Promise<ContainerDetailResponse> {
  const t = containerTarget.safeParse({ host, id });
  if (!t.success) throw new ValidationError(`"${id}" is not a container id or name`);
  const h = hostConfig(host);
  let container = containersNow().containers.find(
    (c) => c.host === host && (c.id === id || c.id.startsWith(id) || c.name === id),
  );
  if (!container) {
    // Not in the live list: it may be stopped, or unknown (inspect answers 404 -> NotFoundError).
    await dockerFor(h).inspectContainer(id);
    throw new NotFoundError(`Container ${id} on ${host} is not running, so it has no live pids to show.`);
  }
  const now = Date.now();
  const { fromMs, toMs } = rangeWindow(range, now);
  const [cg, history, events, changes] = await Promise.all([
    getCgroupDetail(h, container.id).catch(() => null),
    containerHistory(host, container.id, range, now),
    containerEvents(host, container.id, fromMs, toMs),
    containerChanges(host, container.id, container.name, fromMs, toMs),
  ]);
  // Actions target a container by name or id: a raise made either way shows on its page.
  const box = await pendingTimeboxFor(
    "container.set-pids-limit",
    [container.name, container.id, container.id.slice(0, 12)].map((x) => `${host}/${x}`),
  );
  const pendingRevert = box && {
    dueAt: box.dueAt,
    revertTo: typeof box.revertParams.limit === "number" ? box.revertParams.limit : null,
    actor: box.actor,
    auditId: box.auditId,
    heldBecause: box.note?.startsWith("Revert held") ? box.note : null,
  };
  if (cg)
    container = {
      ...container,
      pids: { ...container.pids, ...cg.pids, current: container.pids.current ?? cg.pids.current },
    };
  return { container, cgroup: cg?.detail ?? null, history, events, changes, pendingRevert };
}

const queueNameSchema = z.string().min(1).max(1024);

export async function queueDetail(
  broker: string,
  queue: string,
  range: ChartRange,
  showArgs: boolean,
): Promise<QueueDetailResponse> {
  const b = brokerConfig(broker);
  const name = queueNameSchema.parse(queue);
  const detail = await getQueueDetail(b, name, { showArgs });
  const workers = (snapshot<WorkersResponse>("workers")?.workers ?? []).filter(
    (w) => w.broker === broker && w.alive && w.queues.includes(name),
  );
  // The sampler's row, with the pause the live snapshot carries (read from the store each pass and on pause/resume).
  const live = liveQueue(broker, name);
  const summary = detail.summary ? { ...detail.summary, ...(live?.paused ? { paused: live.paused } : {}) } : live;
  if (!summary) throw new NotFoundError(`Queue "${name}" has not been sampled on ${broker} yet.`);
  const c = detail.composition;
  const quarantines = await quarantinesOf(b.name, name);
  return {
    broker,
    queue: summary,
    history: await queueHistory(broker, name, range),
    composition: {
      sampled: c.sampled,
      groups: c.byTask,
      next: c.next
        ? {
            task: c.next.task,
            id: c.next.id,
            retries: c.next.retries,
            eta: c.next.etaMs ? new Date(c.next.etaMs).toISOString() : null,
            priority: c.next.priority,
            redelivered: c.next.redelivered,
            ...(showArgs ? { args: { args: c.next.args ?? null, kwargs: c.next.kwargs ?? null } } : {}),
          }
        : null,
      errors: c.malformed,
      sampledAt: detail.sampledAt,
    },
    consumers: workers,
    quarantines: quarantines.map(({ quarantine, count, depth, created, expiresAt, expired, state }) => ({
      quarantine,
      count,
      depth,
      created,
      expiresAt,
      expired,
      state,
    })),
  };
}

/** Why task arguments are hidden from this caller, or null when they may be shown (they can hold secrets). */
function argsHiddenReason(role: Role): string | null {
  if (!getConfig().showTaskArguments)
    return "Task arguments are hidden: showTaskArguments is off in the console's configuration (arguments can hold secrets).";
  if (!roleAllows(role, "admin")) return `Task arguments are shown to admins only; you are ${role}.`;
  return null;
}

/** One page of a queue's messages in delivery order (see server/celery/browse.ts). */
export async function queueMessages(
  broker: string,
  queue: string,
  query: MessageQuery,
  role: Role,
): Promise<MessagePageResponse> {
  const b = brokerConfig(broker);
  const name = queueNameSchema.parse(queue);
  const reason = argsHiddenReason(role);
  const page = await withBroker(b, (r) =>
    readMessagePage(r, layoutOf(b), name, query, {
      showArgs: reason === null,
      firstSeenMs: firstSeenLookup(b.name),
      onMessage: (raw, m) => noteSeenMessage(b.name, name, raw, m),
    }),
  );
  await flushSeenMessages(b.name);
  return {
    broker,
    queue: name,
    ...page,
    args: { shown: reason === null, reason },
    textFilterIgnored: Boolean(query.text) && reason !== null,
  };
}
