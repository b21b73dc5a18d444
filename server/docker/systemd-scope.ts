import "server-only";
import type { CgroupReading } from "./cgroup";

// What Docker's PidsLimit does to a container whose cgroup is its own systemd scope (Docker's systemd cgroup driver),
// as measured in the cgroup v2 VM (tests/vm-cgroup-v2.vm.test.ts: docker.io 20.10, runc 1.1, systemd 252):
// - created without --pids-limit, or with -1 or 0 (compose's `pids_limit: 0`): Docker records no limit and sets no
//   TasksMax, so the scope gets systemd's DefaultTasksMax (15% of the kernel's limit);
// - created with, or updated to, a number N: Docker sets TasksMax=N on the scope, so pids.max is N;
// - updated to -1 ("unlimited", what the console sends): TasksMax=infinity, pids.max "max", and Docker records 0,
//   so it stays unlimited across restarts of that container; a container created anew gets the default again;
// - updated to 0: nothing changes.

export interface OwnScope {
  unit: string;
  pidsMax: number | null;
  systemdDefault: number | null;
}

/** The container's own scope when the systemd driver runs it, with its pids.max and systemd's default. */
export function ownSystemdScope(cgroup: CgroupReading | null): OwnScope | null {
  const unit = cgroup?.detail.systemdUnit ?? null;
  if (!cgroup || !unit) return null;
  return { unit, pidsMax: cgroup.pids.limit, systemdDefault: cgroup.detail.kernel.systemdDefaultTasksMax };
}

/** Whether the scope's pids.max is systemd's default rather than a limit Docker set. */
function scopeHasSystemdDefault(scope: OwnScope, dockerPidsLimit: number | null): boolean {
  return dockerPidsLimit === null && scope.pidsMax !== null && scope.pidsMax === scope.systemdDefault;
}

/** What the scope's pids.max becomes when Docker's limit is updated to `limit` (null = unlimited, sent as -1). */
export function scopeAfterUpdate(scope: OwnScope, dockerPidsLimit: number | null, limit: number | null): string {
  const was = scopeHasSystemdDefault(scope, dockerPidsLimit)
    ? `systemd's default TasksMax ${scope.pidsMax}`
    : `pids.max ${scope.pidsMax ?? "max"}`;
  return limit === null
    ? `With Docker's systemd cgroup driver this container's cgroup is the scope ${scope.unit}: "unlimited" makes Docker set TasksMax=infinity on it, so pids.max becomes max (it was ${was}). Docker then records PidsLimit 0, which keeps it unlimited across restarts of this container; a container created anew (docker run or compose with no limit, -1 or 0) gets systemd's default again.`
    : `With Docker's systemd cgroup driver this container's cgroup is the scope ${scope.unit}: Docker sets TasksMax=${limit} on it, so pids.max becomes ${limit} (it was ${was}).`;
}

/**
 * The limit a time-boxed change reverts to. Docker's own value is "unlimited" while systemd's default caps the scope:
 * reverting to unlimited would set TasksMax=infinity and lift the cap the time box promises to put back, so the
 * revert sets the default's number explicitly.
 */
export function revertLimit(scope: OwnScope | null, dockerPidsLimit: number | null): number | null {
  if (scope && scopeHasSystemdDefault(scope, dockerPidsLimit)) return scope.pidsMax;
  return dockerPidsLimit;
}
