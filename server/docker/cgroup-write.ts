import "server-only";
import { constants } from "node:fs";
import { access, open, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { forgetAncestorLevel } from "./cgroup";
import { ancestry, pidsHierarchies, readText, type CgroupLocation } from "./cgroup-fs";

// The only code that writes to the cgroup tree: one pids.max file in a container's own ancestry, named by the
// container (its cgroup as the kernel reports it for its main process) and a level index, never by a path from a
// request. Used by the cgroup.set-pids-max action only, and only with the operator's opt-in.

export type PidsMaxValue = number | "max";

export interface WriteAvailability {
  available: boolean;
  reason: string | null;
}

/** The opt-in (LEAKWATCH_CGROUP_WRITE) and a pids hierarchy this process may write to. */
export async function cgroupWriteAvailability(cfg: {
  cgroupWrite: boolean;
  cgroupRoot: string;
}): Promise<WriteAvailability> {
  if (!cfg.cgroupWrite)
    return {
      available: false,
      reason:
        "Cgroup writes are off: set LEAKWATCH_CGROUP_WRITE=true and give the console the host's cgroup tree read-write to lift an inherited cap from here. Until then, use the host commands.",
    };
  const hierarchies = await pidsHierarchies(cfg.cgroupRoot);
  if (hierarchies.length === 0)
    return {
      available: false,
      reason: `No pids cgroup hierarchy under ${cfg.cgroupRoot}: mount the host's /sys/fs/cgroup there (read-write).`,
    };
  for (const h of hierarchies) {
    try {
      await access(h.dir, constants.W_OK);
    } catch (e) {
      return {
        available: false,
        reason: `${h.dir} is not writable by the console (${(e as NodeJS.ErrnoException).code ?? "error"}): mount the host's cgroup tree read-write (e.g. -v /sys/fs/cgroup:/sys/fs/cgroup:rw) and run as root.`,
      };
    }
  }
  return { available: true, reason: null };
}

export interface PidsMaxFile {
  /** Index in the container's ancestry: 0 = its own cgroup, 1 = its parent, ... */
  level: number;
  hierarchyDir: string;
  /** Path of that level relative to the hierarchy, e.g. "/leakwatch-parent". */
  levelPath: string;
  /** Absolute path of its pids.max as this process sees it. */
  file: string;
}

/** The pids.max of `level` levels above the container's own cgroup. Throws for the root or anything outside. */
export async function pidsMaxFileAt(loc: CgroupLocation, level: number): Promise<PidsMaxFile> {
  if (!loc.path.startsWith("/") || path.posix.normalize(loc.path) !== loc.path)
    throw new Error(`${loc.path} is not a cgroup path as the kernel writes one`);
  const chain = ancestry(loc.path);
  const levelPath = chain[level];
  // The root cgroup has no pids.max, and a level past it is no level of this container.
  if (levelPath === undefined || levelPath === "/")
    throw new Error(
      `level ${level} is not a cgroup above ${loc.path} that has a pids.max (it has ${chain.length - 1} such levels)`,
    );
  const file = path.join(loc.hierarchyDir, levelPath, "pids.max");
  // Defence in depth: the resolved file must be exactly that level's file inside the hierarchy (no symlink or
  // ".." component leading out of it).
  const [realHierarchy, realFile] = await Promise.all([realpath(loc.hierarchyDir), realpath(file)]);
  if (realFile !== path.join(realHierarchy, levelPath, "pids.max"))
    throw new Error(`${file} resolves to ${realFile}, outside ${loc.path}'s ancestry in ${realHierarchy}`);
  return { level, hierarchyDir: loc.hierarchyDir, levelPath, file };
}

/** Index of `levelPath` in the container's ancestry, or null when it is not one of its levels. */
export function levelIndexOf(loc: CgroupLocation, levelPath: string): number | null {
  const i = ancestry(loc.path).indexOf(levelPath);
  return i < 0 ? null : i;
}

export async function readPidsMaxText(f: PidsMaxFile): Promise<string | null> {
  return (await readText(f.file))?.trim() ?? null;
}

/** Writes the value into an existing pids.max (never creates a file) and returns what the file says afterwards. */
export async function writePidsMax(f: PidsMaxFile, value: PidsMaxValue): Promise<string | null> {
  // As `echo max > pids.max` opens it (kernfs ignores the truncation), but without O_CREAT.
  const handle = await open(f.file, constants.O_WRONLY | constants.O_TRUNC);
  try {
    await handle.write(String(value));
  } finally {
    await handle.close();
  }
  forgetAncestorLevel(f.hierarchyDir, f.levelPath);
  return readPidsMaxText(f);
}

/** Containers (by id) whose cgroups sit under `levelPath`: they share the cap a change there moves. Bounded walk. */
export async function containerIdsUnder(hierarchyDir: string, levelPath: string, maxDirs = 2000): Promise<string[]> {
  const ids = new Set<string>();
  const queue = [path.join(hierarchyDir, levelPath)];
  for (let i = 0; i < queue.length && i < maxDirs; i++) {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(queue[i] as string, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const m = /^(?:docker-)?([0-9a-f]{64})(?:\.scope)?$/.exec(e.name);
      if (m) ids.add(m[1] as string);
      else queue.push(path.join(queue[i] as string, e.name));
    }
  }
  return [...ids];
}
