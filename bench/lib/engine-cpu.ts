// CPU time the Docker engine spends on our behalf, read from /proc/<pid>/stat (utime + stime, in clock ticks).
// dockerd answers the API; containerd and the per-container shims read the cgroups behind `stats`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process in ms; null when it is gone. Field 2 (comm) may hold spaces, so split after ")". */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the comm field: state is fields[0], utime is field 14 overall -> fields[11], stime fields[12].
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

function pidsByComm(match: (comm: string) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (match(readFileSync(`/proc/${entry}/comm`, "utf8").trim())) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export interface EnginePids {
  dockerd: number | null;
  containerd: number | null;
  shims: number[];
}

/** Found once per measurement window (the shim set changes as containers start). */
export function enginePids(): EnginePids {
  const dockerd = pidsByComm((c) => c === "dockerd")[0] ?? null;
  const containerd = pidsByComm((c) => c === "containerd")[0] ?? null;
  // comm is truncated to 15 characters: "containerd-shim" covers containerd-shim-runc-v2.
  const shims = pidsByComm((c) => c.startsWith("containerd-shim"));
  return { dockerd, containerd, shims };
}

export interface EngineCpu {
  dockerdMs: number;
  containerdMs: number;
  shimsMs: number;
}
export interface EngineSnapshot {
  dockerdMs: number;
  containerdMs: number;
  shims: Map<number, number>;
}

export function engineCpu(p: EnginePids): EngineSnapshot {
  const shims = new Map<number, number>();
  for (const pid of p.shims) {
    const ms = processCpuMs(pid);
    if (ms !== null) shims.set(pid, ms);
  }
  return {
    dockerdMs: p.dockerd === null ? NaN : (processCpuMs(p.dockerd) ?? NaN),
    containerdMs: p.containerd === null ? NaN : (processCpuMs(p.containerd) ?? NaN),
    shims,
  };
}

/** Per pass. Shims that exited in between (other people's containers) are left out rather than counted negative. */
export function cpuDelta(before: EngineSnapshot, after: EngineSnapshot, per = 1): EngineCpu {
  let shimsMs = 0;
  for (const [pid, ms] of after.shims) {
    const was = before.shims.get(pid);
    if (was !== undefined) shimsMs += ms - was;
  }
  return {
    dockerdMs: (after.dockerdMs - before.dockerdMs) / per,
    containerdMs: (after.containerdMs - before.containerdMs) / per,
    shimsMs: shimsMs / per,
  };
}

/** One clock tick of utime/stime in /proc, in ms. */
export const CLOCK_TICK_MS = 1000 / CLK_TCK;
