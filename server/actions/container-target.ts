import "server-only";
import { z } from "zod";
import { getConfig } from "@/server/config";
import { hostConfig } from "@/server/sources/lookup";
import { readContainerCgroup, type CgroupReading } from "@/server/docker/cgroup";
import { dockerFor } from "@/server/docker/endpoints";
import type { InspectInfo } from "@/server/docker/engine-types";

// What container actions act on, and the state their previews and verifies read back.

export const containerTarget = z.object({
  host: z.string().min(1).max(64),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "is not a container id or name"),
});
export type ContainerTarget = z.infer<typeof containerTarget>;

export interface ContainerState {
  inspect: InspectInfo;
  cgroup: CgroupReading | null;
}

export async function readContainerState(t: ContainerTarget): Promise<ContainerState> {
  const docker = dockerFor(hostConfig(t.host));
  const inspect = await docker.inspectContainer(t.id);
  const cfg = getConfig();
  let cgroup: CgroupReading | null = null;
  if (inspect.running && inspect.pid > 0) {
    const r = await readContainerCgroup(
      { cgroupRoot: cfg.cgroupRoot, procRoot: cfg.procRoot },
      { id: inspect.id, hostPid: inspect.pid, dockerPidsLimit: inspect.pidsLimit },
    );
    if (r.ok) cgroup = r.reading;
  }
  return { inspect, cgroup };
}

export const label = (t: ContainerTarget) => `${t.host}/${t.id}`;

/** The container an id prefix or name resolves to, as the audit records it: host/name, and host/<full id>. */
export async function resolvedAuditTarget(t: ContainerTarget): Promise<{ target: string; targetId: string | null }> {
  try {
    const i = await dockerFor(hostConfig(t.host)).inspectContainer(t.id);
    return { target: `${t.host}/${i.name.replace(/^\//, "")}`, targetId: `${t.host}/${i.id}` };
  } catch {
    return { target: label(t), targetId: null }; // gone or unreachable: record what was asked for
  }
}

/** Ancestor levels (not the container's own) whose max is below `limit`: raising the own limit past them changes nothing. */
export function tighterAncestors(cgroup: CgroupReading | null, limit: number | null): { path: string; max: number }[] {
  if (!cgroup) return [];
  return cgroup.detail.levels
    .slice(1)
    .filter((l) => l.max !== null && (limit === null || l.max < limit))
    .map((l) => ({ path: l.path, max: l.max! }));
}
