// Property tests for the cgroup file parsers (pids.max, pids.events, /proc/<pid>/cgroup): any bytes the kernel,
// a container runtime or a truncated read could leave never make them throw, and the real formats read back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMaxValue, parsePidsEvents, parseProcCgroup } from "./cgroup-fs";

const junk = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "\n", "max", "max\n", " 42 \n", "-1", "1e3", "0x10", "NaN", "Infinity", "max 3\nmax.imposed 1\n"),
);

describe("cgroup file parsers (fuzz)", () => {
  it("parseMaxValue: any text gives a safe integer, null (max) or undefined (unreadable), never a throw", () => {
    fc.assert(
      fc.property(fc.option(junk, { nil: null }), (text) => {
        const v = parseMaxValue(text);
        expect(v === undefined || v === null || Number.isSafeInteger(v)).toBe(true);
        if (text === null) expect(v).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("parseMaxValue reads what the kernel writes: a decimal or max, with its newline", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 4_194_304 }), fc.maxSafeNat()), (n) => {
        expect(parseMaxValue(`${n}\n`)).toBe(n);
      }),
    );
    expect(parseMaxValue("max\n")).toBeNull();
  });

  it("parsePidsEvents: the max counter of any pids.events text, or null; never a throw", () => {
    fc.assert(
      fc.property(fc.option(junk, { nil: null }), (text) => {
        const v = parsePidsEvents(text);
        expect(v === null || (Number.isInteger(v) && v >= 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
        fc.boolean(),
        (max, imposed, imposedFirst) => {
          // cgroup v2 may add "max.imposed N" (a different counter): whichever order, "max" is the one read.
          const lines = [`max ${max}`, ...(imposed === null ? [] : [`max.imposed ${imposed}`])];
          if (imposedFirst) lines.reverse();
          expect(parsePidsEvents(`${lines.join("\n")}\n`)).toBe(max);
        },
      ),
    );
  });

  it("parseProcCgroup: finds the v1 pids path and the v2 path among any other lines, in any order", () => {
    const cgPath = fc
      .array(fc.stringMatching(/^[A-Za-z0-9_.@:-]{1,20}$/), { maxLength: 5 })
      .map((p) => `/${p.join("/")}`);
    const otherController = fc.constantFrom(
      "cpu,cpuacct",
      "memory",
      "blkio",
      "devices",
      "freezer",
      "net_cls,net_prio",
      "name=systemd",
      "rdma",
      "misc",
    );
    const line = fc
      .record({ hier: fc.integer({ min: 1, max: 14 }), controllers: otherController, path: cgPath })
      .map((l) => `${l.hier}:${l.controllers}:${l.path}`);
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 12 }),
        fc.option(cgPath, { nil: null }),
        fc.option(cgPath, { nil: null }),
        fc.nat(),
        (others, pids, unified, at) => {
          const lines = [...others];
          if (pids !== null) lines.splice(at % (lines.length + 1), 0, `5:pids:${pids}`);
          if (unified !== null) lines.push(`0::${unified}`);
          expect(parseProcCgroup(`${lines.join("\n")}\n`)).toEqual({ v1Pids: pids, v2: unified });
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(junk, (text) => {
        const r = parseProcCgroup(text);
        for (const v of [r.v1Pids, r.v2]) expect(v === null || typeof v === "string").toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
