import "server-only";
import type { ContainerListItem } from "./engine-types";
import { processState } from "@/server/process-state";

// The list of containers per host, kept current by the events stream instead of asked for on every pass.
// Listing 200 containers costs dockerd ~20 ms of CPU and was most of a cgroupfs pass (BENCHMARKS.md); while the
// events stream is connected, a start/die/stop/restart marks the list stale, and a full list still runs every
// LIST_MAX_AGE_MS as a safety net. Without a connected stream, every pass lists.

const LIST_MAX_AGE_MS = 30_000;
/** Events after which the set of running containers may differ. */
export const LIST_CHANGING_ACTIONS = new Set(["start", "die", "stop", "restart", "kill", "oom"]);

interface HostList {
  connected: boolean;
  stale: boolean;
  list: ContainerListItem[] | null;
  listedAtMs: number;
}

const lists = () => processState("docker/container-lists", () => new Map<string, HostList>());

function state(host: string): HostList {
  let s = lists().get(host);
  if (!s) lists().set(host, (s = { connected: false, stale: true, list: null, listedAtMs: 0 }));
  return s;
}

/** From the events subscription: whether it is connected. A (re)connect may have missed events: list again. */
export function noteEventsConnected(host: string, connected: boolean): void {
  const s = state(host);
  if (connected !== s.connected) s.stale = true;
  s.connected = connected;
}

/** From the events subscription: a container started, stopped or died. */
export function noteListChange(host: string): void {
  state(host).stale = true;
}

export async function containerList(
  host: string,
  list: () => Promise<ContainerListItem[]>,
  nowMs = Date.now(),
): Promise<ContainerListItem[]> {
  const s = state(host);
  if (s.list && s.connected && !s.stale && nowMs - s.listedAtMs < LIST_MAX_AGE_MS) return s.list;
  s.stale = false; // cleared before the call: an event arriving during it marks the list stale again
  const fresh = await list().catch((e: unknown) => {
    s.stale = true;
    throw e;
  });
  s.list = fresh;
  s.listedAtMs = nowMs;
  return fresh;
}
