import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readContainerCgroup } from "@/server/docker/cgroup";
import { limitAdvice } from "./host-commands";

// Advice is checked against CgroupDetail read by the real reader from the captured v1 host and a v2/systemd tree.
const FIX = path.join(__dirname, "..", "docker", "__fixtures__", "v1-leaker");
const [V1_ID, V1_PID] = readFileSync(path.join(FIX, "ids.txt"), "utf8").trim().split(" ") as [string, string];
const V2_ID = "998eb0c5070321aa3bd0c6f2b3a4e8a1d7f0b6c5e4d3c2b1a0f9e8d7c6b5a493";
const SCOPE = `system.slice/docker-${V2_ID}.scope`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>, copyFrom?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "lw-advice-"));
  dirs.push(dir);
  if (copyFrom) cpSync(copyFrom, dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return { cgroupRoot: path.join(dir, "cgroup"), procRoot: path.join(dir, "proc") };
}

async function read(roots: { cgroupRoot: string; procRoot: string }, id: string, pid: number, limit: number | null) {
  const r = await readContainerCgroup(roots, { id, hostPid: pid, dockerPidsLimit: limit });
  if (!r.ok) throw new Error(r.error);
  return r.reading;
}

describe("limitAdvice", () => {
  it("a --cgroup-parent cap on cgroup v1: explains it and shows the pids.max path to lift, with this container's values", async () => {
    const roots = tree({}, FIX);
    const src = path.join(roots.cgroupRoot, "pids/docker", V1_ID);
    const dst = path.join(roots.cgroupRoot, "pids/lw-parent", V1_ID);
    mkdirSync(path.dirname(dst), { recursive: true });
    cpSync(src, dst, { recursive: true });
    rmSync(src, { recursive: true });
    writeFileSync(path.join(dst, "pids.max"), "max\n");
    writeFileSync(path.join(roots.cgroupRoot, "pids/lw-parent/pids.max"), "40\n");
    writeFileSync(path.join(roots.cgroupRoot, "pids/lw-parent/pids.current"), "38\n");
    const r = await read(roots, V1_ID, 0, null);
    const a = limitAdvice({
      containerId: V1_ID,
      containerName: "leaker",
      pids: r.pids,
      detail: r.detail,
      hierarchy: "v1",
    });
    expect(a.inherited).toBe(true);
    expect(a.limitPath).toBe("/lw-parent");
    expect(a.explanation.join(" ")).toMatch(/Docker reports no pids limit for leaker.*\/lw-parent caps it at 40/);
    const cmds = a.commands.map((c) => c.command);
    expect(cmds).toContain("echo max > /sys/fs/cgroup/pids/lw-parent/pids.max");
    expect(cmds.some((c) => c.startsWith("systemctl"))).toBe(false);
    expect(a.commands.find((c) => c.command.startsWith("cat /sys/fs/cgroup/pids/lw-parent/"))?.note).toContain(
      "40 max, 38 in use",
    );
  });

  it("the container's own --pids-limit: no host command, raise it from the console", async () => {
    const r = await read(tree({}, FIX), V1_ID, Number(V1_PID), 40);
    const a = limitAdvice({
      containerId: V1_ID,
      containerName: "leaker",
      pids: r.pids,
      detail: r.detail,
      hierarchy: "v1",
    });
    expect(a.inherited).toBe(false);
    expect(a.commands).toEqual([]);
    expect(a.explanation.join(" ")).toContain("docker --pids-limit 40");
  });

  it("systemd's DefaultTasksMax on the scope (Dify's 29958): names the 15% rule and the unit to set", async () => {
    const roots = tree({
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
    });
    const r = await read(roots, V2_ID, 1012512, null);
    const a = limitAdvice({
      containerId: V2_ID,
      containerName: "dify-worker-1",
      pids: r.pids,
      detail: r.detail,
      hierarchy: "v2",
    });
    expect(a.inherited).toBe(true);
    expect(a.explanation.join(" ")).toMatch(
      /29958 is systemd's DefaultTasksMax: 15% of min\(kernel.pid_max=4194304, kernel.threads-max=199720\)/,
    );
    const cmds = a.commands.map((c) => c.command);
    expect(cmds).toContain(`systemctl set-property --runtime docker-${V2_ID}.scope TasksMax=infinity`);
    expect(cmds.some((c) => c.includes("DefaultTasksMax=infinity"))).toBe(true);
  });

  it("a tighter slice: set-property on the slice and a [Slice] override", async () => {
    const roots = tree({
      "cgroup/cgroup.controllers": "pids\n",
      "cgroup/system.slice/pids.max": "30500\n",
      "cgroup/system.slice/pids.current": "30411\n",
      [`cgroup/${SCOPE}/pids.max`]: "29958\n",
      [`cgroup/${SCOPE}/pids.current`]: "100\n",
      [`cgroup/${SCOPE}/cgroup.procs`]: "1012512\n",
      "proc/1012512/cgroup": `0::/${SCOPE}\n`,
      "proc/sys/kernel/pid_max": "4194304\n",
      "proc/sys/kernel/threads-max": "199720\n",
    });
    const r = await read(roots, V2_ID, 1012512, null);
    const a = limitAdvice({ containerId: V2_ID, containerName: "w", pids: r.pids, detail: r.detail, hierarchy: "v2" });
    const cmds = a.commands.map((c) => c.command);
    expect(cmds).toContain("systemctl set-property system.slice TasksMax=infinity");
    expect(
      cmds.some((c) => c.includes("/etc/systemd/system/system.slice.d/") && c.includes("[Slice]\\nTasksMax=infinity")),
    ).toBe(true);
  });
});
