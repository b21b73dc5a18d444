import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CgroupLocation } from "./cgroup-fs";
import { cgroupWriteAvailability, containerIdsUnder, pidsMaxFileAt, writePidsMax } from "./cgroup-write";

const ID = "998eb0c5070321aa3bd0c6f2b3a4e8a1d7f0b6c5e4d3c2b1a0f9e8d7c6b5a493";
const SIBLING = "1".repeat(64);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A v2 tree shaped like the Dify host: system.slice/docker-<id>.scope, and a sibling scope. */
function v2Tree(): { root: string; loc: CgroupLocation } {
  const root = mkdtempSync(path.join(tmpdir(), "lw-cgw-"));
  dirs.push(root);
  writeFileSync(path.join(root, "cgroup.controllers"), "cpu io memory pids\n");
  for (const rel of [
    "system.slice",
    `system.slice/docker-${ID}.scope`,
    `system.slice/docker-${SIBLING}.scope`,
    "outside.slice",
  ]) {
    mkdirSync(path.join(root, rel), { recursive: true });
    writeFileSync(path.join(root, rel, "pids.max"), rel.endsWith(".scope") ? "29958\n" : "max\n");
    writeFileSync(path.join(root, rel, "pids.current"), "5\n");
  }
  return { root, loc: { mode: "v2", hierarchyDir: root, path: `/system.slice/docker-${ID}.scope`, foundBy: "proc" } };
}

describe("pidsMaxFileAt", () => {
  it("names the container's own scope at level 0 and its slice at level 1, and refuses the root and beyond", async () => {
    const { root, loc } = v2Tree();
    expect(await pidsMaxFileAt(loc, 0)).toMatchObject({
      levelPath: `/system.slice/docker-${ID}.scope`,
      file: path.join(root, `system.slice/docker-${ID}.scope/pids.max`),
    });
    expect(await pidsMaxFileAt(loc, 1)).toMatchObject({ levelPath: "/system.slice" });
    await expect(pidsMaxFileAt(loc, 2)).rejects.toThrow(/not a cgroup above/);
    await expect(pidsMaxFileAt(loc, 7)).rejects.toThrow(/not a cgroup above/);
  });

  it("refuses a level whose file is a symlink leading out of the ancestry", async () => {
    const { root, loc } = v2Tree();
    const own = path.join(root, `system.slice/docker-${ID}.scope/pids.max`);
    rmSync(own);
    symlinkSync(path.join(root, "outside.slice/pids.max"), own);
    await expect(pidsMaxFileAt(loc, 0)).rejects.toThrow(/outside/);
  });

  it("refuses a location whose path climbs out with ..", async () => {
    const { loc } = v2Tree();
    for (const level of [0, 1])
      await expect(pidsMaxFileAt({ ...loc, path: "/system.slice/../outside.slice" }, level)).rejects.toThrow(
        /not a cgroup path/,
      );
  });
});

describe("writePidsMax", () => {
  it("writes the v2 literal max and numbers into the existing file only", async () => {
    const { root, loc } = v2Tree();
    const f = await pidsMaxFileAt(loc, 0);
    expect(await writePidsMax(f, "max")).toBe("max");
    expect(await writePidsMax(f, 4096)).toBe("4096");
    expect(readFileSync(path.join(root, "outside.slice/pids.max"), "utf8")).toBe("max\n");
    expect(readFileSync(path.join(root, `system.slice/docker-${SIBLING}.scope/pids.max`), "utf8")).toBe("29958\n");
  });

  it("never creates a pids.max that is not there", async () => {
    const { root, loc } = v2Tree();
    rmSync(path.join(root, "system.slice/pids.max"));
    await expect(pidsMaxFileAt(loc, 1)).rejects.toThrow();
  });
});

describe("containerIdsUnder", () => {
  it("finds the containers (scopes or cgroupfs ids) that share a level", async () => {
    const { root } = v2Tree();
    expect((await containerIdsUnder(root, "/system.slice")).sort()).toEqual([SIBLING, ID].sort());
    expect(await containerIdsUnder(root, "/outside.slice")).toEqual([]);
  });
});

describe("cgroupWriteAvailability", () => {
  it("is off without the opt-in, and says how to turn it on", async () => {
    const { root } = v2Tree();
    expect(await cgroupWriteAvailability({ cgroupWrite: false, cgroupRoot: root })).toEqual({
      available: false,
      reason: expect.stringContaining("LEAKWATCH_CGROUP_WRITE=true"),
    });
    expect(await cgroupWriteAvailability({ cgroupWrite: true, cgroupRoot: root })).toEqual({
      available: true,
      reason: null,
    });
    expect(await cgroupWriteAvailability({ cgroupWrite: true, cgroupRoot: path.join(root, "nope") })).toMatchObject({
      available: false,
      reason: expect.stringContaining("No pids cgroup hierarchy"),
    });
  });
});
