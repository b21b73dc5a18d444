import "server-only";
import type { ThreadGroup, ThreadProcess } from "@/server/schemas/containers";

// Shared shape of one thread, whichever way it was read (/proc or `docker top`), and the grouping the diagnosis
// page shows: a thousand threads parked in the same futex wait with the same name is what a leak looks like.

export interface ThreadRecord {
  pid: number;
  tid: number;
  /** One-letter state as ps prints it: R, S, D, Z, T, I ... */
  state: string;
  /** Kernel function the thread sleeps in; "-" when running. */
  wchan: string;
  comm: string;
  /** Syscall name (or "syscall N"), "running", or null when unreadable (needs ptrace access). */
  syscall: string | null;
}

// x86_64 numbers of the syscalls idle or stuck threads usually sit in.
const X86_64_SYSCALLS: Record<number, string> = {
  0: "read",
  1: "write",
  7: "poll",
  23: "select",
  34: "pause",
  35: "nanosleep",
  43: "accept",
  45: "recvfrom",
  47: "recvmsg",
  61: "wait4",
  128: "rt_sigtimedwait",
  130: "rt_sigsuspend",
  202: "futex",
  230: "clock_nanosleep",
  232: "epoll_wait",
  247: "waitid",
  270: "pselect6",
  271: "ppoll",
  281: "epoll_pwait",
  288: "accept4",
  441: "epoll_pwait2",
};

/** /proc/<pid>/task/<tid>/syscall: "202 0x7f.. ..." while blocked, "running", or "-1 ..." in a non-syscall wait. */
export function parseSyscall(text: string | null, arch: string = process.arch): string | null {
  if (text === null) return null;
  const first = text.trim().split(/\s+/)[0] ?? "";
  if (first === "running") return "running";
  const n = Number(first);
  if (first === "" || !Number.isInteger(n)) return null;
  if (n < 0) return "none";
  return (arch === "x64" ? X86_64_SYSCALLS[n] : undefined) ?? `syscall ${n}`;
}

/** /proc shows "__do_sys_pause" where ps shows "do_sys_pause", and "0" when running; make both read the same. */
export function normalizeWchan(raw: string | null | undefined): string {
  const w = (raw ?? "").trim();
  if (w === "" || w === "0" || w === "-") return "-";
  return w.replace(/^_+/, "");
}

export interface ThreadSummary {
  processes: ThreadProcess[];
  groups: ThreadGroup[];
  names: { comm: string; count: number }[];
  zombies: number;
  totalThreads: number;
}

const TOP_NAMES = 10;

export function summarizeThreads(
  threads: ThreadRecord[],
  commands: Map<number, string>,
  extraZombies = 0,
): ThreadSummary {
  const groups = new Map<string, ThreadGroup>();
  const names = new Map<string, number>();
  const perProcess = new Map<number, number>();
  let zombies = extraZombies;
  for (const t of threads) {
    const key = `${t.state}\n${t.wchan}\n${t.syscall ?? ""}`;
    const g = groups.get(key) ?? { state: t.state, wchan: t.wchan, syscall: t.syscall, count: 0 };
    g.count++;
    groups.set(key, g);
    names.set(t.comm, (names.get(t.comm) ?? 0) + 1);
    perProcess.set(t.pid, (perProcess.get(t.pid) ?? 0) + 1);
    if (t.state === "Z" && t.pid === t.tid) zombies++;
  }
  const processes = [...perProcess].map(([pid, count]) => ({ pid, command: commands.get(pid) ?? "?", threads: count }));
  return {
    processes: processes.sort((a, b) => b.threads - a.threads || a.pid - b.pid),
    groups: [...groups.values()].sort((a, b) => b.count - a.count || a.wchan.localeCompare(b.wchan)),
    names: [...names]
      .map(([comm, count]) => ({ comm, count }))
      .sort((a, b) => b.count - a.count || a.comm.localeCompare(b.comm))
      .slice(0, TOP_NAMES),
    zombies,
    totalThreads: threads.length,
  };
}
