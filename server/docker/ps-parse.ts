import "server-only";
import type { TopResult } from "./engine-types";
import { normalizeWchan, type ThreadRecord } from "./threads";

// Parses `docker top <id> -eLo pid,tid,stat,wchan:32,comm` (the fallback when /proc is not readable, e.g. a remote
// host). Docker splits ps output on whitespace into Titles columns; a row that does not fit is a per-row error.

const COLUMN_ALIASES: Record<"pid" | "tid" | "stat" | "wchan" | "comm", string[]> = {
  pid: ["PID"],
  tid: ["TID", "LWP", "SPID"],
  stat: ["STAT", "S"],
  wchan: ["WCHAN"],
  comm: ["COMMAND", "COMM", "CMD"],
};

const MAX_ERRORS = 20;

export function parseTopThreads(top: TopResult): {
  threads: ThreadRecord[];
  commands: Map<number, string>;
  errors: string[];
} {
  const titles = top.titles.map((t) => t.trim().toUpperCase());
  const col = (k: keyof typeof COLUMN_ALIASES) => titles.findIndex((t) => COLUMN_ALIASES[k].includes(t));
  const idx = { pid: col("pid"), tid: col("tid"), stat: col("stat"), wchan: col("wchan"), comm: col("comm") };
  const errors: string[] = [];
  const threads: ThreadRecord[] = [];
  const commands = new Map<number, string>();
  if (idx.pid < 0 || idx.stat < 0) {
    return { threads, commands, errors: [`docker top columns ${JSON.stringify(top.titles)} lack PID or STAT`] };
  }
  let bad = 0;
  for (const row of top.processes) {
    const pid = Number(row[idx.pid]);
    const tid = idx.tid >= 0 ? Number(row[idx.tid]) : pid;
    const stat = row[idx.stat] ?? "";
    if (row.length !== titles.length || !Number.isInteger(pid) || !Number.isInteger(tid) || !/^[A-Za-z]/.test(stat)) {
      if (++bad <= MAX_ERRORS) errors.push(`docker top row not understood: ${JSON.stringify(row).slice(0, 200)}`);
      continue;
    }
    const comm = idx.comm >= 0 ? (row[idx.comm] ?? "").trim() : "?";
    threads.push({
      pid,
      tid,
      state: stat.charAt(0),
      wchan: normalizeWchan(idx.wchan >= 0 ? row[idx.wchan] : "-"),
      comm,
      syscall: null,
    });
    if (tid === pid) commands.set(pid, comm);
  }
  if (bad > MAX_ERRORS) errors.push(`${bad - MAX_ERRORS} more rows not understood`);
  return { threads, commands, errors };
}
