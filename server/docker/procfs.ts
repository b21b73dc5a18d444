import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { readText } from "./cgroup-fs";
import { normalizeWchan, parseSyscall, type ThreadRecord } from "./threads";

// Reads every thread of the given host PIDs from <procRoot>/<pid>/task/*: state (stat), wchan, comm and, where the
// kernel lets us, the syscall it is blocked in. Threads come and go while we read; those are skipped, not fatal.

const MAX_THREADS = 60_000; // well above Dify's 29958; bounds memory and time on a runaway container
const BATCH = 64;
const MAX_ERRORS = 20;

export interface ProcfsThreads {
  threads: ThreadRecord[];
  commands: Map<number, string>;
  /** Unreaped children (state Z) of the container's processes; they hold a pid but are not in cgroup.procs. */
  zombieChildren: number;
  errors: string[];
}

/** stat is "tid (comm) S ppid ..."; comm may hold spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): { comm: string; state: string; ppid: number } | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(" ");
  const state = rest[0] ?? "";
  if (!/^[A-Za-z]$/.test(state)) return null;
  return { comm: text.slice(open + 1, close), state, ppid: Number(rest[1]) };
}

async function listTids(procRoot: string, pid: number): Promise<number[] | null> {
  try {
    return (await readdir(path.join(procRoot, String(pid), "task"))).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return null;
  }
}

async function readThread(
  procRoot: string,
  pid: number,
  tid: number,
): Promise<{ thread: ThreadRecord; children: number[] } | null> {
  const dir = path.join(procRoot, String(pid), "task", String(tid));
  const [statText, wchan, comm, syscall, children] = await Promise.all(
    ["stat", "wchan", "comm", "syscall", "children"].map((f) => readText(path.join(dir, f))),
  );
  const stat = statText ? parseStat(statText) : null;
  if (!stat) return null; // exited between readdir and read
  return {
    thread: {
      pid,
      tid,
      state: stat.state,
      wchan: normalizeWchan(wchan),
      comm: (comm ?? stat.comm).trim(),
      syscall: parseSyscall(syscall ?? null),
    },
    children: (children ?? "")
      .split(/\s+/)
      .filter((s) => /^\d+$/.test(s))
      .map(Number),
  };
}

async function command(procRoot: string, pid: number): Promise<string | null> {
  const cmdline = await readText(path.join(procRoot, String(pid), "cmdline"));
  const args = (cmdline ?? "").split("\0").filter(Boolean);
  if (args.length) return args.join(" ").slice(0, 300);
  const comm = await readText(path.join(procRoot, String(pid), "comm"));
  return comm ? `[${comm.trim()}]` : null;
}

export async function readProcfsThreads(procRoot: string, pids: number[]): Promise<ProcfsThreads> {
  const threads: ThreadRecord[] = [];
  const commands = new Map<number, string>();
  const errors: string[] = [];
  const childPids = new Set<number>();
  const note = (msg: string) => {
    if (errors.length < MAX_ERRORS) errors.push(msg);
  };
  let vanished = 0;
  for (const pid of pids) {
    if (threads.length >= MAX_THREADS) {
      note(`stopped after ${MAX_THREADS} threads`);
      break;
    }
    const tids = await listTids(procRoot, pid);
    if (tids === null) {
      vanished++;
      continue;
    }
    const cmd = await command(procRoot, pid);
    if (cmd) commands.set(pid, cmd);
    for (let i = 0; i < tids.length; i += BATCH) {
      const batch = await Promise.all(tids.slice(i, i + BATCH).map((tid) => readThread(procRoot, pid, tid)));
      for (const r of batch) {
        if (!r) {
          vanished++;
          continue;
        }
        threads.push(r.thread);
        r.children.forEach((c) => childPids.add(c));
      }
    }
  }
  if (vanished > 0) note(`${vanished} processes or threads exited while being read`);
  const inCgroup = new Set(pids);
  let zombieChildren = 0;
  for (const child of childPids) {
    if (inCgroup.has(child)) continue;
    const stat = await readText(path.join(procRoot, String(child), "stat"));
    if (stat && parseStat(stat)?.state === "Z") zombieChildren++;
  }
  if (threads.length > 0 && threads.every((t) => t.syscall === null))
    note("syscall files unreadable (needs ptrace access); grouped by state and wchan only");
  return { threads, commands, zombieChildren, errors };
}
