// CPU and memory of the console's server process, read from /proc: found by the port it listens on when the
// caller did not start it (bench/run.ts passes only a base URL).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      // state 0A = LISTEN; the port is the hex after the colon
      if (local && f[3] === "0A" && parseInt(local.split(":")[1] ?? "", 16) === port && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The pid of the process listening on `port`, or null (not ours to see, or nothing listens). */
export function pidListeningOn(port: number): number | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(entry);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return null;
}

export interface ProcSample {
  atMs: number;
  cpuSeconds: number;
  rssMiB: number;
}

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // fields after the ")" of the command name: utime is field 14, stime 15 (1-based over the whole line)
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return {
    atMs: Date.now(),
    cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    rssMiB: Math.round((rssKiB / 1024) * 10) / 10,
  };
}

/** Share of one core the process used between two samples, in percent. */
export const cpuPercent = (a: ProcSample, b: ProcSample): number =>
  Math.round(((b.cpuSeconds - a.cpuSeconds) / ((b.atMs - a.atMs) / 1000)) * 1000) / 10;
