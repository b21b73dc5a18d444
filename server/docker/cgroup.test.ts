import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ancestry,
  cgroupPathUnderRoot,
  locateContainerCgroup,
  parseMaxValue,
  parsePidsEvents,
  parseProcCgroup,
  readCgroupProcs,
} from "./cgroup-fs";
import { readContainerCgroup, systemdDefaultTasksMax } from "./cgroup";

const FIX = path.join(__dirname, "__fixtures__", "v1-leaker");
const [V1_ID, V1_PID] = readFileSync(path.join(FIX, "ids.txt"), "utf8").trim().split(" ") as [string, string];

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temp dir holding `cgroup/` and `proc/` trees, written from a map of relative path -> content. */
function tree(files: Record<string, string>, copyFrom?: string): { cgroupRoot: string; procRoot: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "lw-cgroup-"));
  dirs.push(dir);
  if (copyFrom) cpSync(copyFrom, dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return { cgroupRoot: path.join(dir, "cgroup"), procRoot: path.join(dir, "proc"), dir };
}

// The Dify host: cgroup v2, systemd driver, kernel sysctls whose 15% is 29958.
const V2_ID = "998eb0c5070321aa3bd0c6f2b3a4e8a1d7f0b6c5e4d3c2b1a0f9e8d7c6b5a493";
const SCOPE = `system.slice/docker-${V2_ID}.scope`;
const difyHost = (over: Record<string, string> = {}) =>
  tree({
    "cgroup/cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
    "cgroup/system.slice/pids.max": "max\n",
    "cgroup/system.slice/pids.current": "30411\n",
    [`cgroup/${SCOPE}/pids.max`]: "29958\n",
    [`cgroup/${SCOPE}/pids.current`]: "29958\n",
    [`cgroup/${SCOPE}/pids.events`]: "max 1873\n",
    [`cgroup/${SCOPE}/cgroup.procs`]: "1012512\n",
    "proc/1012512/cgroup": `0::/${SCOPE}\n`,
    "proc/sys/kernel/pid_max": "4194304\n",
    "proc/sys/kernel/threads-max": "199720\n",
    "proc/loadavg": "3.10 2.95 2.80 4/31250 1012999\n",
    ...over,
  });

describe("cgroup file parsers", () => {
  it("reads pids.max, pids.events and /proc/<pid>/cgroup as the kernel writes them", () => {
    expect(parseMaxValue("max\n")).toBeNull();
    expect(parseMaxValue("40\n")).toBe(40);
    expect(parseMaxValue(null)).toBeUndefined();
    expect(parsePidsEvents(readFileSync(path.join(FIX, "cgroup/pids/docker", V1_ID, "pids.events"), "utf8"))).toBe(94);
    expect(parsePidsEvents("max 3\nmax.imposed 7\n")).toBe(3);
    const v1 = parseProcCgroup(readFileSync(path.join(FIX, "proc", V1_PID, "cgroup"), "utf8"));
    expect(v1.v1Pids).toBe(`/docker/${V1_ID}`);
    expect(parseProcCgroup(`0::/${SCOPE}\n`)).toEqual({ v1Pids: null, v2: `/${SCOPE}` });
    expect(ancestry("/a/b")).toEqual(["/a/b", "/a", "/"]);
  });

  it("computes systemd's DefaultTasksMax like systemd does", () => {
    expect(systemdDefaultTasksMax(199720, 4194304)).toBe(29958); // Dify's host
    expect(systemdDefaultTasksMax(192729, 32768)).toBe(4915); // pid_max - 1 is the smaller one
  });
});

describe("readContainerCgroup on a real cgroup v1 capture (cgroupfs driver)", () => {
  it("finds the container through its main PID and reports its own --pids-limit", async () => {
    const roots = tree({}, FIX);
    const r = await readContainerCgroup(roots, { id: V1_ID, hostPid: Number(V1_PID), dockerPidsLimit: 40 });
    if (!r.ok) throw new Error(r.error);
    const { pids, detail, location } = r.reading;
    expect(location).toMatchObject({ mode: "v1", path: `/docker/${V1_ID}`, foundBy: "proc" });
    expect(pids).toMatchObject({
      current: 40,
      limit: 40,
      effectiveLimit: 40,
      limitSource: "container",
      peak: 40,
      refusedTotal: 94,
    });
    expect(detail.hiddenCap).toBe(false);
    expect(detail.systemdUnit).toBeNull();
    expect(detail.levels.map((l) => l.path)).toEqual([`/docker/${V1_ID}`, "/docker"]);
    expect(detail.explanation).toContain("caps it at 40");
    const procs = await readCgroupProcs(location);
    expect(procs).toEqual([Number(V1_PID)]);
  });

  it("an ancestor set by --cgroup-parent caps a container Docker calls unlimited", async () => {
    const roots = tree({}, FIX);
    const src = path.join(roots.cgroupRoot, "pids/docker", V1_ID);
    const dst = path.join(roots.cgroupRoot, "pids/lwtest-parent", V1_ID);
    mkdirSync(path.dirname(dst), { recursive: true });
    cpSync(src, dst, { recursive: true });
    rmSync(src, { recursive: true });
    writeFileSync(path.join(dst, "pids.max"), "max\n");
    writeFileSync(path.join(roots.cgroupRoot, "pids/lwtest-parent/pids.max"), "30\n");
    writeFileSync(path.join(roots.cgroupRoot, "pids/lwtest-parent/pids.current"), "28\n");
    // Kernels that count a refusal only at the capped level: the parent's counter must still show.
    writeFileSync(path.join(dst, "pids.events"), "max 0\n");
    writeFileSync(path.join(roots.cgroupRoot, "pids/lwtest-parent/pids.events"), "max 12\n");
    // no PID: found by searching for the id under any parent
    const r = await readContainerCgroup(roots, { id: V1_ID, hostPid: 0, dockerPidsLimit: null });
    if (!r.ok) throw new Error(r.error);
    expect(r.reading.location).toMatchObject({ path: `/lwtest-parent/${V1_ID}`, foundBy: "search" });
    expect(r.reading.pids).toMatchObject({
      limit: null,
      effectiveLimit: 30,
      limitSource: "ancestor",
      limitPath: "/lwtest-parent",
      refusedTotal: 12,
    });
    expect(r.reading.headroom).toBe(2);
    expect(r.reading.detail.hiddenCap).toBe(true);
    expect(r.reading.detail.explanation).toMatch(
      /Docker reports no pids limit.*parent cgroup \/lwtest-parent caps it at 30/,
    );
  });

  it("a container that died mid-read is a per-item error, not a throw", async () => {
    const roots = tree({}, FIX);
    rmSync(path.join(roots.cgroupRoot, "pids/docker", V1_ID), { recursive: true });
    const r = await readContainerCgroup(roots, { id: V1_ID, hostPid: Number(V1_PID), dockerPidsLimit: 40 });
    expect(r.ok).toBe(false);
  });
});

describe("readContainerCgroup on a cgroup v2 systemd layout (Dify's 29958)", () => {
  it("names systemd's DefaultTasksMax on the container's own scope and says Docker does not know", async () => {
    const roots = difyHost();
    const r = await readContainerCgroup(roots, { id: V2_ID, hostPid: 1012512, dockerPidsLimit: null });
    if (!r.ok) throw new Error(r.error);
    expect(r.reading.location).toMatchObject({ mode: "v2", path: `/${SCOPE}`, foundBy: "proc" });
    expect(r.reading.pids).toMatchObject({
      current: 29958,
      limit: 29958,
      effectiveLimit: 29958,
      limitSource: "systemd-default",
      peak: null,
      refusedTotal: 1873,
    });
    expect(r.reading.detail.kernel).toEqual({ threadsMax: 199720, pidMax: 4194304, systemdDefaultTasksMax: 29958 });
    expect(r.reading.detail.hiddenCap).toBe(true);
    expect(r.reading.detail.systemdUnit).toBe(`docker-${V2_ID}.scope`);
    expect(r.reading.detail.explanation).toContain("DefaultTasksMax");
  });

  it("a tighter slice wins over the scope, and is an ancestor (not the systemd default)", async () => {
    const roots = difyHost({ "cgroup/system.slice/pids.max": "30500\n", [`cgroup/${SCOPE}/pids.current`]: "100\n" });
    const r = await readContainerCgroup(roots, { id: V2_ID, hostPid: 1012512, dockerPidsLimit: null });
    if (!r.ok) throw new Error(r.error);
    expect(r.reading.pids).toMatchObject({
      effectiveLimit: 30500,
      limitSource: "ancestor",
      limitPath: "/system.slice",
    });
    expect(r.reading.headroom).toBe(30500 - 30411);
  });

  it("with no cgroup limit at all, reports no effective limit but keeps the kernel's headroom for the ETA", async () => {
    const roots = difyHost({ [`cgroup/${SCOPE}/pids.max`]: "max\n", "proc/sys/kernel/pid_max": "32768\n" });
    const r = await readContainerCgroup(roots, { id: V2_ID, hostPid: 1012512, dockerPidsLimit: null });
    if (!r.ok) throw new Error(r.error);
    expect(r.reading.pids).toMatchObject({ limit: null, effectiveLimit: null, limitSource: "none", limitPath: null });
    expect(r.reading.detail.hiddenCap).toBe(false);
    // pid_max - 1 = 32767, 31250 threads on the host (loadavg): 1517 left before the kernel refuses.
    expect(r.reading.headroom).toBe(1517);
    expect(r.reading.share).toBeNull();
  });

  it("when a cgroup caps it but the host is closer to the kernel limit, the kernel is the effective limit", async () => {
    const roots = difyHost({ [`cgroup/${SCOPE}/pids.max`]: "40000\n", "proc/sys/kernel/pid_max": "32768\n" });
    const r = await readContainerCgroup(roots, { id: V2_ID, hostPid: 1012512, dockerPidsLimit: 40000 });
    if (!r.ok) throw new Error(r.error);
    expect(r.reading.pids).toMatchObject({
      limit: 40000,
      effectiveLimit: 32767,
      limitSource: "kernel",
      limitPath: null,
    });
    expect(r.reading.headroom).toBe(1517);
  });

  it("finds kubepods-like nesting by searching when the PID is unknown", async () => {
    const nested = `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/docker-${V2_ID}.scope`;
    const roots = tree({
      "cgroup/cgroup.controllers": "cpu memory pids\n",
      "cgroup/kubepods.slice/kubepods-burstable.slice/pids.max": "max\n",
      "cgroup/kubepods.slice/kubepods-burstable.slice/pids.current": "10\n",
      [`cgroup/${nested}/pids.max`]: "max\n",
      [`cgroup/${nested}/pids.current`]: "7\n",
    });
    const loc = await locateContainerCgroup(roots, V2_ID, 0);
    expect(loc).toMatchObject({ mode: "v2", path: `/${nested}`, foundBy: "search" });
  });
});

// The console in a container with a private cgroup namespace (Docker's default on cgroup v2) reads other processes'
// cgroups relative to its own namespace root; the host's /sys/fs/cgroup mounted at /host/sys/fs/cgroup is the whole tree.
describe("namespace-relative paths in /proc/<pid>/cgroup", () => {
  it("drops the climbs to the unseen common ancestor and never leaves the hierarchy", () => {
    expect(cgroupPathUnderRoot(`/../../${SCOPE}`)).toEqual({ path: `/${SCOPE}`, relativeToNamespace: true });
    expect(cgroupPathUnderRoot(`/${SCOPE}`)).toEqual({ path: `/${SCOPE}`, relativeToNamespace: false });
    expect(cgroupPathUnderRoot("/docker/abc/../../../../etc")).toEqual({ path: "/etc", relativeToNamespace: false });
    expect(cgroupPathUnderRoot("/..")).toEqual({ path: "/", relativeToNamespace: true });
    expect(cgroupPathUnderRoot("/")).toEqual({ path: "/", relativeToNamespace: false });
  });

  it("finds the container's scope from a 0::/../../ path and reads the same limits as from the host", async () => {
    const fromHost = await readContainerCgroup(difyHost(), { id: V2_ID, hostPid: 1012512, dockerPidsLimit: null });
    const roots = difyHost({ "proc/1012512/cgroup": `0::/../../${SCOPE}\n` });
    const r = await readContainerCgroup(roots, { id: V2_ID, hostPid: 1012512, dockerPidsLimit: null });
    if (!r.ok || !fromHost.ok) throw new Error("unreadable");
    expect(r.reading.location).toMatchObject({ mode: "v2", path: `/${SCOPE}`, foundBy: "proc" });
    expect(r.reading.pids).toEqual(fromHost.reading.pids);
  });

  it("does not trust a relative guess that names another cgroup: it searches by id instead", async () => {
    // The common ancestor was /kubepods.slice, so the guess "/other.scope" under the root is some other cgroup.
    const roots = difyHost({
      "proc/1012512/cgroup": "0::/../../other.scope\n",
      "cgroup/other.scope/pids.current": "3\n",
      "cgroup/other.scope/pids.max": "10\n",
      "cgroup/other.scope/cgroup.procs": "4242\n",
    });
    const loc = await locateContainerCgroup(roots, V2_ID, 1012512);
    expect(loc).toMatchObject({ mode: "v2", path: `/${SCOPE}`, foundBy: "search" });
  });

  it("a relative path on a cgroup v1 pids line works the same way", async () => {
    const id = "4c1f0e2d3b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    const roots = tree({
      "cgroup/pids/docker/pids.max": "max\n",
      [`cgroup/pids/docker/${id}/pids.max`]: "50\n",
      [`cgroup/pids/docker/${id}/pids.current`]: "12\n",
      [`cgroup/pids/docker/${id}/cgroup.procs`]: "777\n",
      "proc/777/cgroup": `12:pids:/../${id}\n0::/\n`,
    });
    const loc = await locateContainerCgroup(roots, id, 777);
    expect(loc).toMatchObject({ mode: "v1", path: `/docker/${id}`, foundBy: "search" });
  });
});
