import "server-only";
import type { Insertable } from "kysely";
import { getDb } from "@/server/db";
import type { ContainerPointsTable } from "@/server/db/schema";
import type { ContainerEvent, ContainerSummary } from "@/server/schemas/containers";
import { chunks } from "@/server/db/chunks";
import { rangeWindow, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
import { ensureSeries, findSeries } from "./series";

export interface PidsPoint {
  ts: number;
  current: number | null;
  limit: number | null;
  effectiveLimit: number | null;
  res: number;
}

export async function recordContainerSamples(containers: ContainerSummary[]): Promise<void> {
  if (containers.length === 0) return;
  const db = await getDb();
  const rows: Insertable<ContainerPointsTable>[] = [];
  const byHost = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const list = byHost.get(c.host);
    if (list) list.push(c);
    else byHost.set(c.host, [c]);
  }
  for (const [host, list] of byHost) {
    const ids = await ensureSeries(
      "container",
      host,
      list.map((c) => ({ key: c.id, name: c.name })),
    );
    for (const c of list) {
      const seriesId = ids.get(c.id);
      if (seriesId === undefined) continue;
      rows.push({
        series_id: seriesId,
        res: 0,
        ts: c.sampledAt,
        pids_current: c.pids.current,
        pids_limit: c.pids.limit,
        effective_limit: c.pids.effectiveLimit,
        refused_total: c.pids.refusedTotal,
      });
    }
  }
  for (const chunk of chunks(rows))
    await db
      .insertInto("container_points")
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

export async function containerHistory(
  host: string,
  id: string,
  range: HistoryRange | ChartRange,
  now = Date.now(),
): Promise<PidsPoint[]> {
  const seriesId = await findSeries("container", host, id);
  if (seriesId === null) return [];
  const db = await getDb();
  // The same query for a preset and a custom window: the tiers are by age, so an old window reads coarse rows.
  const { fromMs, toMs } = rangeWindow(range, now);
  const rows = await db
    .selectFrom("container_points")
    .select(["ts", "res", "pids_current", "pids_limit", "effective_limit"])
    .where("series_id", "=", seriesId)
    .where("ts", ">=", fromMs)
    .where("ts", "<=", toMs)
    .orderBy("ts")
    .execute();
  // Tiers overlap briefly while compaction runs; keep the finest row per timestamp.
  const byTs = new Map<number, PidsPoint>();
  for (const r of rows) {
    const ts = Number(r.ts);
    const prev = byTs.get(ts);
    if (!prev || r.res < prev.res)
      byTs.set(ts, { ts, current: r.pids_current, limit: r.pids_limit, effectiveLimit: r.effective_limit, res: r.res });
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

export async function recordContainerEvent(host: string, containerId: string, ev: ContainerEvent): Promise<void> {
  const db = await getDb();
  await db
    .insertInto("container_events")
    .values({
      host,
      container_id: containerId,
      ts: ev.ts,
      action: ev.action,
      attributes: JSON.stringify(ev.attributes),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function containerEvents(
  host: string,
  id: string,
  since: number,
  until = Number.MAX_SAFE_INTEGER,
): Promise<ContainerEvent[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("container_events")
    .selectAll()
    .where("host", "=", host)
    .where("container_id", "=", id)
    .where("ts", ">=", since)
    .where("ts", "<=", until)
    .orderBy("ts", "desc")
    .limit(500)
    .execute();
  return rows.map((r) => ({
    ts: Number(r.ts),
    action: r.action,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
  }));
}

/** Events older than the history window go too. */
export async function pruneContainerEvents(now = Date.now()): Promise<void> {
  const db = await getDb();
  await db
    .deleteFrom("container_events")
    .where("ts", "<", now - 8 * 24 * 3600_000)
    .execute();
}
