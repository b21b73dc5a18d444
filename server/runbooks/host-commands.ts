import "server-only";
import path from "node:path";
import type { CgroupDetail, PidsInfo } from "@/server/schemas/containers";
import type { HostCommand, LimitAdvice } from "./types";

// Pure: explains where a container's effective pids limit comes from and, when it is inherited (a systemd
// slice or scope default, a parent cgroup, the kernel), the host-side commands that lift it, filled in with
// this container's real unit, path and values. The console shows them as text; it never runs them.

export interface AdviceInput {
  containerId: string;
  containerName: string;
  pids: PidsInfo;
  detail: CgroupDetail;
  /** "v1": pids controller mounted at <cgroupRoot>/pids; "v2": the unified hierarchy. */
  hierarchy: "v1" | "v2";
  cgroupRoot?: string;
}

const unitOf = (cgPath: string): string | null => {
  const last = cgPath.split("/").filter(Boolean).pop() ?? "";
  return /\.(slice|scope|service)$/.test(last) ? last : null;
};

function pidsFile(i: AdviceInput, cgPath: string): string {
  const root = i.cgroupRoot ?? "/sys/fs/cgroup";
  return path.posix.join(root, i.hierarchy === "v1" ? "pids" : "", cgPath, "pids.max");
}

export function limitAdvice(i: AdviceInput): LimitAdvice {
  const { pids, detail } = i;
  const short = i.containerId.slice(0, 12);
  const eff = pids.effectiveLimit;
  const suggested = Math.max(4096, (eff ?? 0) * 4);
  const explanation: string[] = [detail.explanation];
  const commands: HostCommand[] = [];
  const inherited =
    pids.limitSource === "ancestor" || pids.limitSource === "systemd-default" || pids.limitSource === "kernel";
  const level = detail.levels.find((l) => l.path === pids.limitPath) ?? null;
  const unit = pids.limitPath ? unitOf(pids.limitPath) : null;
  const sysDefault = detail.kernel.systemdDefaultTasksMax;

  if (!inherited) {
    explanation.push(
      pids.limit === null
        ? `Nothing caps ${i.containerName} below the kernel's limits.`
        : `The container's own limit (docker --pids-limit ${pids.limit}) is the effective one: raise it from the console (Mitigate), no host access needed.`,
    );
    return { inherited, limitPath: pids.limitPath, explanation, commands };
  }

  if (sysDefault !== null && eff === sysDefault)
    explanation.push(
      `${eff} is systemd's DefaultTasksMax: 15% of min(kernel.pid_max=${detail.kernel.pidMax ?? "?"}, kernel.threads-max=${detail.kernel.threadsMax ?? "?"}). systemd applies it to every scope and slice that sets no TasksMax of its own.`,
    );
  const ownScope = detail.systemdUnit !== null && pids.limitPath === detail.levels[0]?.path;
  if (pids.limit === null && ownScope)
    explanation.push(
      `Docker reports no pids limit for ${i.containerName}, yet its own scope ${detail.systemdUnit} carries systemd's default. With Docker's systemd driver Docker's limit does reach the scope, but only as a number or as an update to unlimited: the console's Set pids limit (docker update) sets TasksMax on it at once; --pids-limit 0 or -1 when the container is created (compose's pids_limit: 0) leave the default.`,
    );
  else if (pids.limit === null)
    explanation.push(
      `Docker reports no pids limit for ${i.containerName} (docker inspect shows PidsLimit unset), yet ${pids.limitPath ?? "an ancestor"} caps it at ${eff}: raising the container's own limit changes nothing until that level is raised on the host.`,
    );
  else if (eff !== null && pids.limit > eff)
    explanation.push(
      `The container's own limit ${pids.limit} is above the inherited ${eff} at ${pids.limitPath}: the inherited one wins.`,
    );

  if (pids.limitSource === "kernel") {
    const tm = detail.kernel.threadsMax;
    commands.push({
      title: "Raise the kernel's thread ceiling now",
      command: `sysctl -w kernel.threads-max=${Math.max(suggested, (tm ?? 0) * 2)}`,
      note: `kernel.threads-max is ${tm ?? "?"} now; pid_max is ${detail.kernel.pidMax ?? "?"} (raise it too if it is the lower one: sysctl -w kernel.pid_max=4194304).`,
    });
    commands.push({
      title: "Keep it across reboots",
      command: `echo 'kernel.threads-max = ${Math.max(suggested, (tm ?? 0) * 2)}' > /etc/sysctl.d/90-leakwatch-threads.conf && sysctl --system`,
      note: "Applies at boot.",
    });
    return { inherited, limitPath: pids.limitPath, explanation, commands };
  }

  if (unit || detail.systemdUnit) {
    const u = unit ?? detail.systemdUnit!;
    const scope = detail.systemdUnit ?? `docker-${i.containerId}.scope`;
    if (u.endsWith(".scope")) {
      commands.push({
        title: "Lift the scope's cap now (until the container restarts)",
        command: `systemctl set-property --runtime ${u} TasksMax=infinity`,
        note: `Runtime only: every start of the container (a restart too) creates its scope anew, with the default again.`,
      });
      commands.push({
        title: "Change systemd's default for new scopes",
        command: `mkdir -p /etc/systemd/system.conf.d && printf '[Manager]\\nDefaultTasksMax=infinity\\n' > /etc/systemd/system.conf.d/90-tasksmax.conf && systemctl daemon-reexec`,
        note: `daemon-reexec applies it at once to running scopes that set no TasksMax of their own (measured in the cgroup v2 VM test), and to every scope created later, restarts included. Or give the container a limit of its own, which Docker writes as TasksMax on ${scope}: --pids-limit N when creating it, docker update --pids-limit N, or docker update --pids-limit -1 (TasksMax=infinity, kept across restarts of this container). --pids-limit 0 or -1 when creating it (compose's pids_limit: 0) leave systemd's default in place.`,
      });
    } else {
      commands.push({
        title: `Lift ${u}'s cap now`,
        command: `systemctl set-property ${u} TasksMax=infinity`,
        note: `Writes a drop-in under /etc/systemd/system.control/, so it persists.`,
      });
      commands.push({
        title: `Or as an explicit slice override`,
        command: `mkdir -p /etc/systemd/system/${u}.d && printf '[Slice]\\nTasksMax=infinity\\n' > /etc/systemd/system/${u}.d/90-tasksmax.conf && systemctl daemon-reload`,
        note: `Same as systemctl edit ${u} with [Slice] TasksMax=infinity.`,
      });
    }
    commands.push({
      title: "Check",
      command: `systemctl show -p TasksMax -p TasksCurrent ${u}`,
      note: "TasksMax should read infinity.",
    });
  } else if (pids.limitPath) {
    const file = pidsFile(i, pids.limitPath);
    commands.push({
      title: "See the inherited cap",
      command: `cat ${file} ${file.replace(/pids\.max$/, "pids.current")}`,
      note: `Now ${level?.max ?? eff} max, ${level?.current ?? "?"} in use across everything under ${pids.limitPath}.`,
    });
    commands.push({
      title: "Lift it now",
      command: `echo max > ${file}`,
      note: `Or a number with headroom, e.g. echo ${suggested} > ${file}. Not persistent: whatever created ${pids.limitPath} (a --cgroup-parent, an agent) may write it again.`,
    });
  }
  commands.push({
    title: "Confirm from the container's side",
    command: `cat ${pidsFile(i, detail.levels[0]?.path ?? `/docker/${i.containerId}`)}  # ${short}`,
    note: "The container's own pids.max; the console rereads the whole chain every sample.",
  });
  return { inherited, limitPath: pids.limitPath, explanation, commands };
}
