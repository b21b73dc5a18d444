import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keptFileCount, readKept, sweepKeptFiles } from "./kept-files";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "lw-kept-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (let i = 0; i < 5; i++) sweepKeptFiles(); // closes what the test opened
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("readKept", () => {
  it("reads the current text on every call through one kept descriptor", () => {
    const f = path.join(tmp(), "pids.current");
    writeFileSync(f, "12\n");
    const before = keptFileCount();
    expect(readKept(f)).toBe("12\n");
    expect(keptFileCount()).toBe(before + 1);
    writeFileSync(f, "1500\n"); // in place, as the kernel's files change
    expect(readKept(f)).toBe("1500\n");
    writeFileSync(f, "7\n"); // shorter than before: no stale tail
    expect(readKept(f)).toBe("7\n");
    expect(keptFileCount()).toBe(before + 1);
  });

  it("returns null for a missing file and keeps nothing open for it", () => {
    const before = keptFileCount();
    expect(readKept(path.join(tmp(), "nope"))).toBeNull();
    expect(keptFileCount()).toBe(before);
  });

  it("does not retry for a while a file its existing cgroup lacks, but retries at once when the cgroup itself was gone", () => {
    // A file the kernel does not provide (pids.peak on cgroup v1): skipped for a few passes, then tried again.
    const dir = tmp();
    const peak = path.join(dir, "pids.peak");
    expect(readKept(peak)).toBeNull();
    writeFileSync(peak, "9\n");
    expect(readKept(peak)).toBeNull();
    for (let i = 0; i < 12; i++) sweepKeptFiles();
    expect(readKept(peak)).toBe("9\n");

    // A cgroup that is gone (a container restarting): its new files are read on the very next call.
    const gone = path.join(tmp(), "restarting");
    const current = path.join(gone, "pids.current");
    expect(readKept(current)).toBeNull();
    mkdirSync(gone);
    writeFileSync(current, "3\n");
    expect(readKept(current)).toBe("3\n");
  });

  it("reads a file longer than its buffer whole", () => {
    const f = path.join(tmp(), "big");
    const text = "x".repeat(10_000);
    writeFileSync(f, text);
    expect(readKept(f)).toBe(text);
  });

  it("closes descriptors that no pass read for a while", () => {
    const d = tmp();
    const a = path.join(d, "a");
    const b = path.join(d, "b");
    writeFileSync(a, "1");
    writeFileSync(b, "2");
    readKept(a);
    readKept(b);
    const open = keptFileCount();
    for (let i = 0; i < 4; i++) {
      sweepKeptFiles();
      readKept(a); // a is read every pass, b never again
    }
    expect(keptFileCount()).toBe(open - 1);
    expect(readKept(a)).toBe("1");
  });
});
