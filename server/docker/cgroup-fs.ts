import "server-only";
import { readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

// Finds a container's pids cgroup on the host's cgroup file system (v1 `pids` controller or the v2 unified tree)
// and reads the small pids.* files. The roots are configurable so the console can run in a container with the
// host's /proc and /sys/fs/cgroup mounted elsewhere, and so tests can build trees in a temporary directory.

export interface FsRoots {
  cgroupRoot: string;
  procRoot: string;
}
export type CgroupMode = "v1" | "v2";

export interface CgroupLocation {
  mode: CgroupMode;
  /** Absolute directory of the hierarchy that holds the pids controller. */
  hierarchyDir: string;
  /** Path of the container's cgroup relative to that hierarchy, e.g. "/docker/<id>". */
  path: string;
  /** "proc" when read from /proc/<pid>/cgroup of the main process, "search" when found by name. */
  foundBy: "proc" | "search";
}

// cgroup and /proc files are kernel pseudo-files of a few bytes: a synchronous read costs microseconds, while
// the promise API's thread-pool round trip cost ~1.5 ms each and dominated a 200-container pass (see BENCHMARKS.md).
export async function readText(file: string): Promise<string | null> {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // missing or vanished (the container just died): the caller decides what that means
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** `pids.max` style value: a number, "max" (null = unlimited), or undefined when the file is absent/garbled. */
export function parseMaxValue(text: string | null): number | null | undefined {
  if (text === null) return undefined;
  const t = text.trim();
  if (t === "max") return null;
  // The kernel writes plain decimal digits; "-1", "1e3" or "0x10" mean the file is not what we think it is.
  if (!/^\d{1,16}$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The "max" counter of pids.events (v1: "max 14"; v2 may add "max.imposed N" lines, which are not this counter). */
export function parsePidsEvents(text: string | null): number | null {
  if (text === null) return null;
  const m = /^max\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** Hierarchies that carry the pids controller, v1 first: on a hybrid host the v1 controller is the one that counts. */
export async function pidsHierarchies(cgroupRoot: string): Promise<{ mode: CgroupMode; dir: string }[]> {
  const out: { mode: CgroupMode; dir: string }[] = [];
  if (await isDir(path.join(cgroupRoot, "pids"))) out.push({ mode: "v1", dir: path.join(cgroupRoot, "pids") });
  const controllers = await readText(path.join(cgroupRoot, "cgroup.controllers"));
  if (controllers !== null && controllers.split(/\s+/).includes("pids")) out.push({ mode: "v2", dir: cgroupRoot });
  return out;
}

/** Parses /proc/<pid>/cgroup into the v1 pids path and the v2 unified path. */
export function parseProcCgroup(text: string): { v1Pids: string | null; v2: string | null } {
  let v1Pids: string | null = null;
  let v2: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, hier, controllers, p] = m as unknown as [string, string, string, string];
    if (hier === "0" && controllers === "") v2 = p;
    else if (controllers.split(",").includes("pids")) v1Pids = p;
  }
  return { v1Pids, v2 };
}

/**
 * A path from /proc/<pid>/cgroup as a path under the hierarchy root. From inside a private cgroup namespace (the
 * console in a container on a cgroup v2 host) the kernel writes paths relative to the reader's namespace root, so
 * another cgroup reads like "/../../system.slice/docker-<id>.scope": the leading ".." climb to a common ancestor the
 * reader cannot see. Those are dropped (the rest is a guess to verify, relativeToNamespace: true), and no ".." can
 * lead out of the hierarchy directory.
 */
export function cgroupPathUnderRoot(p: string): { path: string; relativeToNamespace: boolean } {
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  let climbs = 0;
  while (parts[climbs] === "..") climbs++;
  const out: string[] = [];
  for (const s of parts.slice(climbs)) {
    if (s === "..") out.pop();
    else out.push(s);
  }
  return { path: `/${out.join("/")}`, relativeToNamespace: climbs > 0 };
}

/** Whether `pid` is a member of the cgroup at `dir` (cgroup.procs, as seen in the reader's pid namespace). */
async function holdsPid(dir: string, pid: number): Promise<boolean> {
  const procs = await readText(path.join(dir, "cgroup.procs"));
  return procs !== null && procs.split("\n").some((l) => l.trim() === String(pid));
}

const SEARCH_MAX_DIRS = 20_000;
const SEARCH_MAX_DEPTH = 8;

/** Breadth-first search for `<id>` or `docker-<id>.scope` (any --cgroup-parent, kubepods-like nesting). Bounded. */
async function searchById(hierarchyDir: string, id: string): Promise<string | null> {
  const names = new Set([id, `docker-${id}.scope`]);
  let frontier = ["/"];
  let seen = 0;
  for (let depth = 0; depth < SEARCH_MAX_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of frontier) {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(path.join(hierarchyDir, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const child = path.posix.join(rel, e.name);
        if (names.has(e.name)) return child;
        if (++seen > SEARCH_MAX_DIRS) return null;
        next.push(child);
      }
    }
    frontier = next;
  }
  return null;
}

/**
 * Where a container's pids cgroup is. Best: the main process's own /proc/<pid>/cgroup (exact, whatever the driver
 * or parent). Fallback (no PID, or a different cgroup namespace): the usual cgroupfs/systemd names, then a search.
 */
export async function locateContainerCgroup(
  roots: FsRoots,
  id: string,
  hostPid: number,
): Promise<CgroupLocation | null> {
  const hierarchies = await pidsHierarchies(roots.cgroupRoot);
  if (hierarchies.length === 0) return null;
  if (hostPid > 0) {
    const text = await readText(path.join(roots.procRoot, String(hostPid), "cgroup"));
    if (text !== null) {
      const { v1Pids, v2 } = parseProcCgroup(text);
      for (const h of hierarchies) {
        const raw = h.mode === "v1" ? v1Pids : v2;
        if (!raw) continue;
        const { path: rel, relativeToNamespace } = cgroupPathUnderRoot(raw);
        if (rel === "/" || (await readText(path.join(h.dir, rel, "pids.current"))) === null) continue;
        // A namespace-relative path is only a guess: take it when the process is really in that cgroup.
        if (relativeToNamespace && !(await holdsPid(path.join(h.dir, rel), hostPid))) continue;
        return { mode: h.mode, hierarchyDir: h.dir, path: rel, foundBy: "proc" };
      }
    }
  }
  for (const h of hierarchies) {
    for (const rel of [`/docker/${id}`, `/system.slice/docker-${id}.scope`]) {
      if (await isDir(path.join(h.dir, rel)))
        return { mode: h.mode, hierarchyDir: h.dir, path: rel, foundBy: "search" };
    }
  }
  for (const h of hierarchies) {
    const rel = await searchById(h.dir, id);
    if (rel) return { mode: h.mode, hierarchyDir: h.dir, path: rel, foundBy: "search" };
  }
  return null;
}

/** The path and each ancestor up to the root: "/a/b" -> ["/a/b", "/a", "/"]. */
export function ancestry(rel: string): string[] {
  const out: string[] = [];
  let p = path.posix.normalize(rel.startsWith("/") ? rel : `/${rel}`);
  for (;;) {
    out.push(p);
    if (p === "/") return out;
    p = path.posix.dirname(p);
  }
}

/** Host PIDs (thread-group leaders) in the container's cgroup and its sub-cgroups. */
export async function readCgroupProcs(loc: CgroupLocation, maxDirs = 200): Promise<number[] | null> {
  const pids = new Set<number>();
  const queue = [path.join(loc.hierarchyDir, loc.path)];
  let readAny = false;
  for (let i = 0; i < queue.length && i < maxDirs; i++) {
    const dir = queue[i] as string;
    const text = await readText(path.join(dir, "cgroup.procs"));
    if (text === null) continue;
    readAny = true;
    for (const line of text.split("\n")) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
    try {
      for (const e of await readdir(dir, { withFileTypes: true }))
        if (e.isDirectory()) queue.push(path.join(dir, e.name));
    } catch {
      // vanished mid-walk: keep what we have
    }
  }
  return readAny ? [...pids] : null;
}
