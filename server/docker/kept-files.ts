import "server-only";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { processState } from "@/server/process-state";

// The per-container pids files are read on every pass. Keeping their descriptors open and re-reading from offset 0
// skips the open and close (about 6 µs per read instead of 18 µs in a first measurement here; `npm run bench`
// compares both in BENCHMARKS.md section 1). A kernfs file regenerates its text on a read at offset 0, so the value
// is as fresh as a new open. A descriptor whose cgroup was removed fails with ENODEV (or the file is gone): it is
// closed and the path opened again once, so a restarted container's new cgroup at the same path is read, not the
// old one. Descriptors not read for a few passes are closed by sweepKeptFiles(); the total is bounded.

const MAX_KEPT = 8192;
const IDLE_PASSES = 3;
const BUF = Buffer.allocUnsafe(4096);

interface Kept {
  fd: number;
  pass: number;
}

// In the process registry so a dev hot reload does not orphan open descriptors.
const state = () =>
  processState("docker/kept-files", () => ({
    kept: new Map<string, Kept>(),
    missing: new Map<string, number>(),
    pass: 0,
  }));
// A file the kernel does not provide in a cgroup that exists (pids.peak before Linux 6.1 and on cgroup v1) is not
// tried again for this many passes: a failed open costs an exception each time. A file whose cgroup is gone (a
// container stopping or restarting) is tried again on the next pass.
const MISSING_PASSES = 12;

function open(file: string): Kept | null {
  const st = state();
  const missingSince = st.missing.get(file);
  if (missingSince !== undefined && st.pass - missingSince < MISSING_PASSES) return null;
  try {
    if (st.kept.size >= MAX_KEPT) closeAll();
    const k = { fd: openSync(file, "r"), pass: st.pass };
    st.kept.set(file, k);
    st.missing.delete(file);
    return k;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && existsSync(path.dirname(file))) {
      if (st.missing.size >= MAX_KEPT) st.missing.clear();
      st.missing.set(file, st.pass);
    }
    return null;
  }
}

function close(file: string, k: Kept): void {
  state().kept.delete(file);
  try {
    closeSync(k.fd);
  } catch {
    // already closed: nothing to release
  }
}

function readAt0(fd: number): string {
  // The pids files are a few bytes; a file longer than the buffer is read on until its end.
  let n = readSync(fd, BUF, 0, BUF.length, 0);
  if (n < BUF.length) return BUF.toString("utf8", 0, n);
  const parts = [Buffer.from(BUF.subarray(0, n))];
  let pos = n;
  while ((n = readSync(fd, BUF, 0, BUF.length, pos)) > 0) {
    parts.push(Buffer.from(BUF.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The file's text through a kept descriptor; null when it cannot be opened or read (the container is gone). */
export function readKept(file: string): string | null {
  const st = state();
  let k = st.kept.get(file) ?? open(file);
  for (let attempt = 0; k && attempt < 2; attempt++) {
    try {
      k.pass = st.pass;
      return readAt0(k.fd);
    } catch {
      // ENODEV: the cgroup behind the descriptor was removed; try the path once more (it may be a new cgroup).
      close(file, k);
      k = attempt === 0 ? open(file) : null;
    }
  }
  return null;
}

/** Called once per sampling pass: closes descriptors that no pass has read for a while (containers that left). */
export function sweepKeptFiles(): void {
  const st = state();
  st.pass++;
  for (const [file, k] of st.kept) if (st.pass - k.pass > IDLE_PASSES) close(file, k);
  for (const [file, since] of st.missing) if (st.pass - since >= MISSING_PASSES) st.missing.delete(file);
}

/** How many descriptors are open (for /api/health's jobs and the tests). */
export function keptFileCount(): number {
  return state().kept.size;
}

/** Closes every kept descriptor (a test that remounts or swaps the cgroup root; a bind mount stays busy otherwise). */
export function closeKeptFiles(): void {
  closeAll();
}

function closeAll(): void {
  for (const [file, k] of state().kept) close(file, k);
  state().missing.clear();
}
