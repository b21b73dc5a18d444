// test-only: leaker containers and pids cgroups for integration tests. Every container runs with
// `--network none` and the label leakwatch.test=1 plus this run's id, so cleanup removes exactly ours.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./proc";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURE_IMAGE = "leakwatch-fixture/leaker:latest";
export const TEST_LABEL = "leakwatch.test";
export const RUN_LABEL = "leakwatch.test.run";
export const RUN_ID = process.env.LEAKWATCH_TEST_RUN_ID ?? `${process.pid}-${Date.now().toString(36)}`;
const CGROUP_ROOT = "/sys/fs/cgroup";

export async function docker(...args: string[]): Promise<string> {
  return (await run("docker", args)).stdout.trim();
}

/** Builds leakwatch-fixture/leaker:latest when missing or stale (never pulls). */
export async function ensureFixtureImage(): Promise<string> {
  await run("bash", [path.join(REPO_ROOT, "scripts/build-fixtures.sh")], { cwd: REPO_ROOT });
  return FIXTURE_IMAGE;
}

export interface LeakerOptions {
  name?: string;
  mode?: "leak" | "sawtooth" | "healthy";
  /** Threads per second (fractional allowed). */
  rate?: number;
  /** Stop creating at this many threads (0 = never); the sawtooth peak. */
  max?: number;
  baseline?: number;
  pool?: number;
  holdSeconds?: number;
  threadName?: string;
  pidsLimit?: number;
  /** e.g. "/leakwatch-test-parent": the container's cgroup becomes a child of it. */
  cgroupParent?: string;
  labels?: Record<string, string>;
}

export function leakerArgs(o: LeakerOptions): string[] {
  const args = ["--mode", o.mode ?? "leak"];
  if (o.rate !== undefined) args.push("--rate", String(o.rate));
  if (o.max !== undefined) args.push("--max", String(o.max));
  if (o.baseline !== undefined) args.push("--baseline", String(o.baseline));
  if (o.pool !== undefined) args.push("--pool", String(o.pool));
  if (o.holdSeconds !== undefined) args.push("--hold", String(o.holdSeconds));
  if (o.threadName !== undefined) args.push("--name", o.threadName);
  return args;
}

/** Starts a leaker container and returns its full id. A stale test container of the same name is replaced. */
export async function startLeaker(o: LeakerOptions = {}): Promise<string> {
  const args = ["run", "-d", "--network", "none", "--label", `${TEST_LABEL}=1`, "--label", `${RUN_LABEL}=${RUN_ID}`];
  if (o.name) {
    const stale = await docker("ps", "-aq", "--filter", `name=^/${o.name}$`, "--filter", `label=${TEST_LABEL}=1`);
    if (stale) await docker("rm", "-f", ...stale.split("\n"));
    args.push("--name", o.name);
  }
  if (o.pidsLimit !== undefined) args.push("--pids-limit", String(o.pidsLimit));
  if (o.cgroupParent) args.push("--cgroup-parent", o.cgroupParent);
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push("--label", `${k}=${v}`);
  args.push(FIXTURE_IMAGE, ...leakerArgs(o));
  return docker(...args);
}

/** Removes test containers: every one labelled leakwatch.test=1, or only this run's. Returns how many. */
export async function removeTestContainers(scope: "all" | "run" = "all"): Promise<number> {
  const filter = scope === "run" ? `label=${RUN_LABEL}=${RUN_ID}` : `label=${TEST_LABEL}=1`;
  const ids = (await docker("ps", "-aq", "--filter", filter)).split("\n").filter(Boolean);
  if (ids.length > 0) await docker("rm", "-f", ...ids);
  return ids.length;
}

export async function containerLogs(id: string): Promise<string> {
  const { stdout, stderr } = await run("docker", ["logs", id]);
  return stdout + stderr;
}

export async function containerHostPid(id: string): Promise<number> {
  return Number(await docker("inspect", "-f", "{{.State.Pid}}", id));
}

/** The container's pids cgroup directory, read from its init process (works for v1 and v2, any parent). */
export async function containerPidsDir(id: string): Promise<string> {
  const pid = await containerHostPid(id);
  const lines = (await readFile(`/proc/${pid}/cgroup`, "utf8")).split("\n");
  const v1 = lines.find((l) => /^\d+:([^:]*,)?pids(,[^:]*)?:/.test(l));
  if (v1) return path.join(CGROUP_ROOT, "pids", v1.slice(v1.indexOf(":", v1.indexOf(":") + 1) + 1));
  const v2 = lines.find((l) => l.startsWith("0::"));
  if (v2) return path.join(CGROUP_ROOT, v2.slice(3));
  throw new Error(`no pids cgroup for container ${id} (pid ${pid})`);
}

export async function readPidsCurrent(id: string): Promise<number> {
  return Number((await readFile(path.join(await containerPidsDir(id), "pids.current"), "utf8")).trim());
}

export async function readPidsMax(id: string): Promise<string> {
  return (await readFile(path.join(await containerPidsDir(id), "pids.max"), "utf8")).trim();
}

// --- ancestor cgroups ------------------------------------------------------------------------

const touchedParents = new Set<string>();
const SYSTEM_CGROUPS = new Set(["docker", "system.slice", "user.slice", "init.scope", "machine.slice", "kubepods"]);

function safeParent(parentPath: string): string {
  const rel = parentPath.replace(/^\/+|\/+$/g, "");
  const first = rel.split("/")[0] ?? "";
  if (!rel || rel.includes("..") || SYSTEM_CGROUPS.has(first))
    throw new Error(`refusing to manage cgroup "${parentPath}"`);
  return rel;
}

function pidsHierarchies(): string[] {
  const roots: string[] = [];
  if (existsSync(path.join(CGROUP_ROOT, "pids", "cgroup.procs"))) roots.push(path.join(CGROUP_ROOT, "pids"));
  const controllers = path.join(CGROUP_ROOT, "cgroup.controllers");
  if (existsSync(controllers) && !existsSync(path.join(CGROUP_ROOT, "pids"))) roots.push(CGROUP_ROOT); // pure v2
  return roots;
}

/**
 * Creates the parent cgroup (relative to the pids hierarchy, like --cgroup-parent) and writes its
 * pids.max, so containers under it meet a limit tighter than their own. Returns the files written.
 */
export async function setCgroupPidsMax(parentPath: string, value: number | "max"): Promise<string[]> {
  const rel = safeParent(parentPath);
  const written: string[] = [];
  for (const root of pidsHierarchies()) {
    if (root === CGROUP_ROOT) {
      // cgroup v2: each ancestor must delegate the pids controller to its children.
      let dir = root;
      for (const part of rel.split("/")) {
        await writeFile(path.join(dir, "cgroup.subtree_control"), "+pids").catch(() => undefined);
        dir = path.join(dir, part);
        await mkdir(dir, { recursive: true });
      }
    }
    const dir = path.join(root, rel);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "pids.max"), String(value));
    written.push(path.join(dir, "pids.max"));
  }
  if (written.length === 0) throw new Error("no pids cgroup hierarchy found under /sys/fs/cgroup");
  touchedParents.add(rel);
  return written;
}

/**
 * Removes a parent cgroup from every hierarchy Docker may have created it in (run after its
 * containers are gone). Returns the directories that could not be removed.
 */
export async function removeCgroupParent(parentPath: string): Promise<string[]> {
  const rel = safeParent(parentPath);
  const roots = [CGROUP_ROOT, ...(await readdir(CGROUP_ROOT)).map((d) => path.join(CGROUP_ROOT, d))];
  const levels = rel.split("/").map((_, i, parts) => parts.slice(0, parts.length - i).join("/")); // deepest first
  const failed: string[] = [];
  for (const root of roots) {
    for (const level of levels) {
      const dir = path.join(root, level);
      if (!existsSync(path.join(dir, "cgroup.procs"))) continue;
      await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOENT") failed.push(`${dir} (${e.code})`);
      });
    }
  }
  touchedParents.delete(rel);
  return failed;
}

/** Removes every parent cgroup setCgroupPidsMax touched in this process. */
export async function cleanupCgroupParents(): Promise<string[]> {
  const failed: string[] = [];
  for (const rel of [...touchedParents]) failed.push(...(await removeCgroupParent(rel)));
  return failed;
}
