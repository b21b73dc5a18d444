// Property tests for the `docker top` thread parser: columns in any order and under any of ps's names, extra
// columns, ragged rows and junk never make it throw; every thread it returns is well-formed, every row it drops
// is counted, and a table printed from known threads reads back as those threads.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTopThreads } from "./ps-parse";
import { normalizeWchan } from "./threads";

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.constantFrom("-", "0", "", " ", "S", "Sl", "R+", "D", "Z", "futex_wait_queue_me", "__x64_sys_poll"),
);
const title = fc.oneof(
  fc.constantFrom(
    "PID",
    "TID",
    "LWP",
    "SPID",
    "STAT",
    "S",
    "WCHAN",
    "COMMAND",
    "COMM",
    "CMD",
    "UID",
    "%CPU",
    "pid",
    " stat ",
  ),
  fc.string({ maxLength: 8 }),
);

describe("parseTopThreads (fuzz)", () => {
  it("never throws on any titles and rows; threads are well-formed and every row is either a thread or an error", () => {
    fc.assert(
      fc.property(
        fc.array(title, { maxLength: 8 }),
        fc.array(fc.array(cell, { maxLength: 9 }), { maxLength: 40 }),
        (titles, processes) => {
          const r = parseTopThreads({ titles, processes });
          for (const t of r.threads) {
            expect(Number.isInteger(t.pid) && Number.isInteger(t.tid)).toBe(true);
            expect(t.state).toMatch(/^[A-Za-z]$/);
            expect(typeof t.wchan).toBe("string");
            expect(typeof t.comm).toBe("string");
          }
          for (const [pid, comm] of r.commands)
            expect(r.threads.some((t) => t.pid === pid && t.tid === pid && t.comm === comm)).toBe(true);
          const upper = titles.map((t) => t.trim().toUpperCase());
          const hasColumns = upper.includes("PID") && (upper.includes("STAT") || upper.includes("S"));
          if (!hasColumns) {
            expect(r.threads).toEqual([]);
            expect(r.errors).toHaveLength(1);
          } else {
            const dropped = processes.length - r.threads.length;
            // Up to 20 rows are quoted, the rest summed up in one more line.
            expect(r.errors.length).toBe(dropped <= 20 ? dropped : 21);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("reads back threads printed in any column order, under any alias, with extra columns", () => {
    const thread = fc.record({
      pid: fc.integer({ min: 1, max: 4_194_304 }),
      tid: fc.integer({ min: 1, max: 4_194_304 }),
      stat: fc
        .tuple(
          fc.constantFrom("R", "S", "D", "Z", "T", "I", "t", "X"),
          fc.constantFrom("", "l", "s", "+", "<", "N", "sl"),
        )
        .map(([a, b]) => a + b),
      wchan: fc.constantFrom("-", "0", "futex_wait_queue", "do_epoll_wait", "__skb_wait_for_more_packets", "pipe_read"),
      comm: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,15}$/),
    });
    const layout = fc.record({
      tid: fc.constantFrom("TID", "LWP", "SPID"),
      stat: fc.constantFrom("STAT", "S"),
      comm: fc.constantFrom("COMMAND", "COMM", "CMD"),
      extra: fc.boolean(),
      order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(thread, { maxLength: 30 }), layout, (threads, l) => {
        const columns: [string, (t: (typeof threads)[number]) => string][] = [
          ["PID", (t) => String(t.pid)],
          [l.tid, (t) => String(t.tid)],
          [l.stat, (t) => t.stat],
          ["WCHAN", (t) => t.wchan],
          [l.comm, (t) => t.comm],
          ["UID", () => "1000"],
        ];
        const used = l.order.map((i) => columns[i]!).filter(([name]) => l.extra || name !== "UID");
        const r = parseTopThreads({
          titles: used.map(([n]) => n),
          processes: threads.map((t) => used.map(([, f]) => f(t))),
        });
        expect(r.errors).toEqual([]);
        expect(r.threads).toEqual(
          threads.map((t) => ({
            pid: t.pid,
            tid: t.tid,
            state: t.stat[0],
            wchan: normalizeWchan(t.wchan),
            comm: t.comm,
            syscall: null,
          })),
        );
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
