import "server-only";
import path from "node:path";
import type { CgroupDetail, CgroupLevel, LimitSource, PidsInfo } from "@/server/schemas/containers";
import {
  ancestry,
  locateContainerCgroup,
  parseMaxValue,
  parsePidsEvents,
  readText,
  type CgroupLocation,
  type FsRoots,
} from "./cgroup-fs";
import { readKept } from "./kept-files";

// Reads a container's pids counters and works out the limit that will actually stop it: the level (the container's
// own cgroup, any ancestor, or the kernel) with the least headroom. Docker only knows about the first of these, which
// is how Dify's workers hit 29958 threads while `docker inspect` said "no limit".

export interface KernelLimits {
  threadsMax: number | null;
  pidMax: number | null;
  systemdDefaultTasksMax: number | null;
  hostThreads: number | null;
}

export interface CgroupReading {
  location: CgroupLocation;
  pids: PidsInfo;
  detail: CgroupDetail;
  headroom: number | null;
  share: number | null;
}
export type CgroupResult = { ok: true; reading: CgroupReading } | { ok: false; error: string };

const num = (t: string | null): number | null => {
  const n = parseMaxValue(t);
  return typeof n === "number" ? n : null;
};

/** systemd's DefaultTasksMax=15%: 15% of min(kernel.threads-max, kernel.pid_max - 1), rounded down (limits-util.c). */
export function systemdDefaultTasksMax(threadsMax: number | null, pidMax: number | null): number | null {
  const candidates = [threadsMax, pidMax === null ? null : pidMax - 1].filter((n): n is number => n !== null && n > 0);
  return candidates.length ? Math.floor((Math.min(...candidates) * 15) / 100) : null;
}

// Kernel limits change rarely: read once a second at most, not once per container per pass. The promise is kept,
// not the value: the sampler reads eight containers at a time, and caching the value after the read let all eight
// miss (`npm run bench` counted 8 reads of each file per pass).
const kernelCache = new Map<string, { atMs: number; value: Promise<KernelLimits> }>();

export function readKernelLimits(procRoot: string): Promise<KernelLimits> {
  const hit = kernelCache.get(procRoot);
  if (hit && Date.now() - hit.atMs < 1000) return hit.value;
  const value = readKernelLimitsNow(procRoot);
  kernelCache.set(procRoot, { atMs: Date.now(), value });
  value.catch(() => kernelCache.delete(procRoot));
  return value;
}

async function readKernelLimitsNow(procRoot: string): Promise<KernelLimits> {
  const threadsMax = num(await readText(path.join(procRoot, "sys/kernel/threads-max")));
  const pidMax = num(await readText(path.join(procRoot, "sys/kernel/pid_max")));
  // /proc/loadavg's 4th field is "running/total" scheduling entities: every thread on the host.
  const loadavg = await readText(path.join(procRoot, "loadavg"));
  const total = loadavg ? /\s\d+\/(\d+)\s/.exec(loadavg)?.[1] : undefined;
  return {
    threadsMax,
    pidMax,
    systemdDefaultTasksMax: systemdDefaultTasksMax(threadsMax, pidMax),
    hostThreads: total ? Number(total) : null,
  };
}

const isSystemdUnit = (p: string) => /\.(scope|slice)$/.test(path.posix.basename(p));

export interface EffectiveLimit {
  effectiveLimit: number | null;
  limitSource: LimitSource;
  limitPath: string | null;
  headroom: number | null;
  /** current / max at the deciding level (its current counts siblings too, for an ancestor). */
  share: number | null;
  hiddenCap: boolean;
}

/**
 * Pure: picks the level with least headroom. `levels[0]` is the container's own cgroup, then ancestors upwards.
 * `dockerPidsLimit` is Docker's PidsLimit (null = Docker says unlimited; undefined = not known).
 */
export function effectiveLimit(
  levels: CgroupLevel[],
  kernel: KernelLimits,
  dockerPidsLimit: number | null | undefined,
): EffectiveLimit {
  let best: { level: CgroupLevel; index: number } | null = null;
  levels.forEach((level, index) => {
    if (level.headroom === null) return;
    if (!best || level.headroom < (best.level.headroom as number)) best = { level, index };
  });
  const own = levels[0];
  const kernelCap =
    kernel.threadsMax !== null || kernel.pidMax !== null
      ? Math.min(kernel.threadsMax ?? Infinity, kernel.pidMax !== null ? kernel.pidMax - 1 : Infinity)
      : null;
  const kernelUsed = kernel.hostThreads ?? own?.current ?? 0;
  const kernelHeadroom = kernelCap === null ? null : kernelCap - kernelUsed;
  const chosen = best as { level: CgroupLevel; index: number } | null;
  if (chosen && kernelCap !== null && kernelHeadroom !== null && kernelHeadroom < chosen.level.headroom!) {
    return {
      effectiveLimit: kernelCap,
      limitSource: "kernel",
      limitPath: null,
      headroom: kernelHeadroom,
      share: kernelUsed / kernelCap,
      hiddenCap: false,
    };
  }
  // No cgroup caps it: the API says "unlimited" (null), as Docker would. The kernel's host-wide limit is still the
  // backstop a leak runs into, so its headroom stays the basis for the ETA.
  if (!chosen)
    return {
      effectiveLimit: null,
      limitSource: "none",
      limitPath: null,
      headroom: kernelHeadroom,
      share: null,
      hiddenCap: false,
    };
  const { level, index } = chosen;
  const dockerUnlimited = dockerPidsLimit === null;
  const isDefault = isSystemdUnit(level.path) && level.max === kernel.systemdDefaultTasksMax;
  let limitSource: LimitSource;
  if (index === 0) limitSource = isDefault && dockerPidsLimit !== level.max ? "systemd-default" : "container";
  else limitSource = isDefault ? "systemd-default" : "ancestor";
  // Hidden: Docker says "no limit" (when Docker's view is unknown, the container's own pids.max stands in for it)
  // yet a cgroup level caps the container: a systemd scope default on its own cgroup, or any ancestor.
  const hiddenCap = dockerPidsLimit === undefined ? own?.max === null : dockerUnlimited;
  const max = level.max as number;
  return {
    effectiveLimit: max,
    limitSource,
    limitPath: level.path,
    headroom: level.headroom,
    share: max > 0 ? (level.current ?? 0) / max : 1,
    hiddenCap,
  };
}

function explain(
  e: EffectiveLimit,
  levels: CgroupLevel[],
  kernel: KernelLimits,
  dockerPidsLimit: number | null | undefined,
): string {
  const own = levels[0];
  const docker =
    dockerPidsLimit === undefined
      ? ""
      : dockerPidsLimit === null
        ? "Docker reports no pids limit for this container. "
        : `Docker's pids limit is ${dockerPidsLimit}. `;
  const at = levels.find((l) => l.path === e.limitPath);
  const used = at ? `${at.current ?? "?"} tasks in use there, ${e.headroom ?? "?"} left` : "";
  const kernelText = `kernel.threads-max ${kernel.threadsMax ?? "?"}, kernel.pid_max ${kernel.pidMax ?? "?"}`;
  switch (e.limitSource) {
    case "container":
      return `${docker}The container's own cgroup ${e.limitPath} caps it at ${e.effectiveLimit} (${used}).`;
    case "systemd-default": {
      const unit = path.posix.basename(e.limitPath ?? "");
      const base = `${docker}But the systemd unit ${unit} caps ${e.limitPath === own?.path ? "it" : "it from above"} at ${e.effectiveLimit}: systemd's DefaultTasksMax, 15% of min(${kernelText} - 1) (${used}).`;
      // Docker's systemd driver makes the container's cgroup this very scope: Docker's limit reaches it (measured in
      // the cgroup v2 VM test), but only as a number or as an update to unlimited, never as -1 or 0 at creation.
      return e.limitPath === own?.path
        ? `${base} The container's cgroup is that scope: raising Docker's pids limit on the running container (docker update --pids-limit N, or -1 for unlimited) sets TasksMax on it, while creating the container with --pids-limit 0 or -1 (compose's pids_limit: 0) leaves the default. Or raise TasksMax on that unit (or DefaultTasksMax in system.conf).`
        : `${base} Raising Docker's --pids-limit will not help; raise TasksMax on that unit (or DefaultTasksMax in system.conf).`;
    }
    case "ancestor":
      return `${docker}${e.hiddenCap ? "But a" : "A"} parent cgroup ${e.limitPath} caps it at ${e.effectiveLimit} (${used}, shared with its other members). ${e.hiddenCap ? "Raising the container's own limit will not help; raise pids.max on that parent." : ""}`.trim();
    case "kernel":
      return `${docker}The host-wide kernel limit is the tightest: min(${kernelText} - 1) = ${e.effectiveLimit}, with ${kernel.hostThreads ?? "?"} threads in use on the host.`;
    default:
      return e.headroom === null
        ? `${docker}No cgroup caps this container's tasks (and the kernel limits could not be read).`
        : `${docker}No cgroup caps this container's tasks. What a leak runs into is the host-wide kernel limit, min(${kernelText} - 1), with ${kernel.hostThreads ?? "?"} threads in use on the host and ${e.headroom} left; the ETA counts down to it.`;
  }
}

/** `read` is readKept for a container's own level (read every pass), readText for the shared, cached ancestors. */
async function readLevel(
  hierarchyDir: string,
  rel: string,
  read: (file: string) => Promise<string | null> | string | null = readText,
): Promise<CgroupLevel | null> {
  const dir = path.join(hierarchyDir, rel);
  const maxText = await read(path.join(dir, "pids.max"));
  const curText = await read(path.join(dir, "pids.current"));
  if (maxText === null && curText === null) return null; // the root cgroup has neither
  const max = parseMaxValue(maxText) ?? null;
  const current = num(curText);
  return { path: rel, max, current, headroom: max === null ? null : max - (current ?? 0) };
}

// Every container of a host shares its ancestors (/docker, system.slice, ...): within one pass they are read once,
// not once per container. 250 ms is well under any sample interval and longer than a pass.
const ANCESTOR_TTL_MS = 250;
// Promises, as for the kernel limits: concurrent readers of one pass share one read.
const ancestorCache = new Map<string, { atMs: number; level: Promise<CgroupLevel | null> }>();

/** After a write (cgroup.set-pids-max): the next read of that level must see the new value, not the cached one. */
export function forgetAncestorLevel(hierarchyDir: string, rel: string): void {
  ancestorCache.delete(path.join(hierarchyDir, rel));
}

function readAncestorLevel(hierarchyDir: string, rel: string): Promise<CgroupLevel | null> {
  const key = path.join(hierarchyDir, rel);
  const now = Date.now();
  const hit = ancestorCache.get(key);
  if (hit && now - hit.atMs < ANCESTOR_TTL_MS) return hit.level;
  const level = readLevel(hierarchyDir, rel);
  if (ancestorCache.size > 10_000) ancestorCache.clear();
  ancestorCache.set(key, { atMs: now, level });
  level.catch(() => ancestorCache.delete(key));
  return level;
}

/** Reads everything for one container. Never throws: a container that died mid-read is a per-item error. */
export async function readContainerCgroup(
  roots: FsRoots,
  c: { id: string; hostPid: number; dockerPidsLimit?: number | null; location?: CgroupLocation | null },
): Promise<CgroupResult> {
  try {
    const location = c.location ?? (await locateContainerCgroup(roots, c.id, c.hostPid));
    if (!location)
      return { ok: false, error: `no pids cgroup found for ${c.id.slice(0, 12)} under ${roots.cgroupRoot}` };
    const dir = path.join(location.hierarchyDir, location.path);
    const own = await readLevel(location.hierarchyDir, location.path, readKept);
    if (!own || own.current === null)
      return { ok: false, error: `cgroup ${location.path} vanished (container stopped?)` };
    const levels: CgroupLevel[] = [own];
    for (const rel of ancestry(location.path).slice(1)) {
      const level = await readAncestorLevel(location.hierarchyDir, rel);
      if (level) levels.push(level);
    }
    const kernel = await readKernelLimits(roots.procRoot);
    const eff = effectiveLimit(levels, kernel, c.dockerPidsLimit);
    const peak = num(readKept(path.join(dir, "pids.peak")));
    let refusedTotal = parsePidsEvents(readKept(path.join(dir, "pids.events")));
    if (eff.limitPath && eff.limitPath !== location.path) {
      // Where the kernel counts a refused fork differs by version (the forking cgroup, or the capped one and its
      // ancestors); a full ancestor refuses this container's forks too, so its counter speaks for it as well.
      const atCap = parsePidsEvents(await readText(path.join(location.hierarchyDir, eff.limitPath, "pids.events")));
      if (atCap !== null) refusedTotal = Math.max(refusedTotal ?? 0, atCap);
    }
    const base = path.posix.basename(location.path);
    return {
      ok: true,
      reading: {
        location,
        headroom: eff.headroom,
        share: eff.share,
        pids: {
          current: own.current,
          limit: own.max,
          effectiveLimit: eff.effectiveLimit,
          limitSource: eff.limitSource,
          limitPath: eff.limitPath,
          peak,
          refusedTotal,
        },
        detail: {
          levels,
          kernel: {
            threadsMax: kernel.threadsMax,
            pidMax: kernel.pidMax,
            systemdDefaultTasksMax: kernel.systemdDefaultTasksMax,
          },
          hiddenCap: eff.hiddenCap,
          explanation: explain(eff, levels, kernel, c.dockerPidsLimit),
          systemdUnit: base.endsWith(".scope") ? base : null,
        },
      },
    };
  } catch (e) {
    return { ok: false, error: `reading cgroup of ${c.id.slice(0, 12)}: ${(e as Error).message}` };
  }
}
