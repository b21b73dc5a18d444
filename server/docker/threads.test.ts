import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTop } from "./engine-types";
import { readProcfsThreads, parseStat } from "./procfs";
import { parseTopThreads } from "./ps-parse";
import { normalizeWchan, parseSyscall, summarizeThreads } from "./threads";

// Both fixtures come from the same leaker container (rate 5/s, --pids-limit 40, two unreaped children):
// 1 main thread in clock_nanosleep, 19 threads in pause(), 18 in a futex wait, captured by __fixtures__/capture.sh.
const FIX = path.join(__dirname, "__fixtures__", "v1-leaker");
const PID = Number(readFileSync(path.join(FIX, "ids.txt"), "utf8").trim().split(" ")[1]);

describe("procfs thread reading (real /proc capture)", () => {
  it("groups threads by state, wchan and syscall, names the process and counts unreaped children", async () => {
    const r = await readProcfsThreads(path.join(FIX, "proc"), [PID]);
    const s = summarizeThreads(r.threads, r.commands, r.zombieChildren);
    expect(s.totalThreads).toBe(38);
    expect(s.processes).toEqual([{ pid: PID, command: "/leaker 5 60 2", threads: 38 }]);
    expect(s.groups).toEqual([
      { state: "S", wchan: "do_sys_pause", syscall: "pause", count: 19 },
      { state: "S", wchan: "futex_do_wait", syscall: "futex", count: 18 },
      { state: "S", wchan: "hrtimer_nanosleep", syscall: "clock_nanosleep", count: 1 },
    ]);
    expect(s.names).toEqual([
      { comm: "leak-pause", count: 19 },
      { comm: "leak-futex", count: 18 },
      { comm: "leaker", count: 1 },
    ]);
    expect(s.zombies).toBe(2);
    expect(r.errors).toEqual([]);
  });

  it("skips a PID that exited before it was read, with a bounded note", async () => {
    const r = await readProcfsThreads(path.join(FIX, "proc"), [PID, 999999]);
    expect(r.threads).toHaveLength(38);
    expect(r.errors).toEqual(["1 processes or threads exited while being read"]);
  });

  it("parses stat lines whose comm holds spaces and parentheses", () => {
    expect(parseStat("42 (my (odd) name) S 1 42 42 0 -1")).toEqual({ comm: "my (odd) name", state: "S", ppid: 1 });
    expect(parseStat("garbage")).toBeNull();
    expect(parseSyscall("running", "x64")).toBe("running");
    expect(parseSyscall("202 0x1 0x2", "arm64")).toBe("syscall 202");
    expect(parseSyscall(null)).toBeNull();
    expect(normalizeWchan("0")).toBe("-");
  });
});

describe("docker top fallback (real `docker top -eLo pid,tid,stat,wchan:32,comm` payload)", () => {
  const top = parseTop(JSON.parse(readFileSync(path.join(FIX, "top.json"), "utf8")));

  it("gives the same grouping by state and wchan as /proc", () => {
    const r = parseTopThreads(top);
    const s = summarizeThreads(r.threads, r.commands);
    expect(r.errors).toEqual([]);
    expect(s.totalThreads).toBe(38);
    expect(s.groups.map((g) => [g.state, g.wchan, g.count])).toEqual([
      ["S", "do_sys_pause", 19],
      ["S", "futex_do_wait", 18],
      ["S", "hrtimer_nanosleep", 1],
    ]);
    expect(s.processes).toEqual([{ pid: PID, command: "leaker", threads: 38 }]);
  });

  it("reports odd rows as bounded per-row errors and keeps the rest", () => {
    const odd = {
      titles: top.titles,
      processes: [...top.processes, ["x", "y"], ["1", "2", "??", "-", "a"], ...Array(30).fill(["bad"])],
    };
    const r = parseTopThreads(odd);
    expect(r.threads).toHaveLength(38);
    expect(r.errors).toHaveLength(21);
    expect(r.errors[20]).toBe("12 more rows not understood");
    expect(parseTopThreads({ titles: ["UID", "CMD"], processes: [] }).errors[0]).toMatch(/lack PID or STAT/);
  });
});
