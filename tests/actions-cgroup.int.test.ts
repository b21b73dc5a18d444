// cgroup.set-pids-max on a real Docker Engine: a leaker stuck at a parent cgroup's cap (--cgroup-parent) grows again
// after the raise, the time box puts the cap back, the audit holds the file's old and new values; without the
// operator's opt-in, and for anything outside the container's own ancestry, nothing is written.
import { mkdtemp, mkdir, readFile, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listActionsAvailable } from "@/server/actions/registry";
import {
  RUN_ID,
  cleanupCgroupParents,
  run,
  containerLogs,
  containerPidsDir,
  docker,
  ensureFixtureImage,
  readPidsCurrent,
  removeTestContainers,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import {
  errorCode,
  errorMessageOf,
  postAction,
  previewAction,
  startConsole,
  type ActionBody,
  type TestConsole,
} from "@/server/testing/action-console";
import { makeTimeboxDue, runDueRevertsLikeScheduler, timeboxState } from "@/server/testing/timebox-revert";

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const parent = `leakwatch-cgw-${tag}`;
const other = `leakwatch-cgw-other-${tag}`;
const leakerName = `lw-cgw-${tag}`;
const sharerName = `lw-cgw-sharer-${tag}`;
const strangerName = `lw-cgw-stranger-${tag}`;
const ENV = { LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock" };
let lw: TestConsole;
let leaker: string;
let parentDir: string;
let otherDir: string;

const fileText = async (dir: string, f = "pids.max") => (await readFile(path.join(dir, f), "utf8")).trim();
const refusedAt = async (dir: string) => Number(/^max\s+(\d+)/m.exec(await fileText(dir, "pids.events"))?.[1] ?? 0);
// Kernels differ in where they count a refused fork (the forking cgroup, or the capped one): read both.
const refused = async (id: string) => {
  const own = await containerPidsDir(id);
  return Math.max(await refusedAt(own), await refusedAt(path.dirname(own)));
};
const raise = (params: Record<string, unknown>, id = leakerName): ActionBody => ({
  action: "cgroup.set-pids-max",
  target: { host: "local", id },
  params,
  reason: "INC-10 lift the inherited cap",
});

beforeAll(async () => {
  await ensureFixtureImage();
  lw = await startConsole(ENV);
  await setCgroupPidsMax(parent, 60);
  await setCgroupPidsMax(other, 50);
  await startLeaker({ name: sharerName, mode: "healthy", pool: 2, cgroupParent: `/${parent}` });
  await startLeaker({ name: strangerName, mode: "healthy", pool: 2, cgroupParent: `/${other}` });
  leaker = await startLeaker({ name: leakerName, mode: "leak", rate: 40, cgroupParent: `/${parent}` });
  parentDir = path.dirname(await containerPidsDir(leaker));
  otherDir = path.dirname(await containerPidsDir(strangerName));
  await waitFor(async () => (await containerLogs(leaker)).includes("can't start new thread"), {
    what: "the leaker stuck at the parent's cap",
    timeoutMs: 60_000,
  });
  expect(await fileText(parentDir, "pids.current")).toBe("60");
});

afterAll(async () => {
  await removeTestContainers("run");
  await cleanupCgroupParents();
  await lw?.close();
});

describe("without the opt-in", () => {
  it("is listed unavailable with the reason, refused, and writes nothing", async () => {
    const listed = (await listActionsAvailable()).find((a) => a.name === "cgroup.set-pids-max");
    expect(listed).toMatchObject({ available: false });
    expect(listed!.unavailableReason).toContain("LEAKWATCH_CGROUP_WRITE=true");

    const preview = await previewAction(lw.users.operator, raise({ value: "max" }));
    expect(preview.status).toBe(200);
    expect((preview.body.blockers ?? []).join(" ")).toContain("LEAKWATCH_CGROUP_WRITE=true");

    const entries = (await lw.auditEntries()).length;
    const r = await postAction(lw.users.admin, raise({ value: "max" }));
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 409, code: "conflict" });
    expect(errorMessageOf(r)).toContain("LEAKWATCH_CGROUP_WRITE=true");
    expect(await fileText(parentDir)).toBe("60");
    expect((await lw.auditEntries()).slice(entries).filter((e) => e.kind !== "event")).toEqual([]);
  });
});

describe("with the opt-in but a read-only cgroup mount", () => {
  it("is unavailable, says the mount is read-only, and writes nothing", async () => {
    // The host's pids hierarchy bind-mounted read-only, as a console container given `:ro` would see it.
    const root = await mkdtemp(path.join(tmpdir(), "lw-ro-cgroup-"));
    await mkdir(path.join(root, "pids"));
    await run("mount", ["--bind", "/sys/fs/cgroup/pids", path.join(root, "pids")]);
    try {
      await run("mount", ["-o", "remount,bind,ro", path.join(root, "pids")]);
      lw.reconfigure({ ...ENV, LEAKWATCH_CGROUP_WRITE: "true", LEAKWATCH_CGROUP_ROOT: root });
      const listed = (await listActionsAvailable()).find((a) => a.name === "cgroup.set-pids-max");
      expect(listed).toMatchObject({ available: false });
      expect(listed!.unavailableReason).toMatch(/not writable by the console \(EROFS\)/);
      const entries = (await lw.auditEntries()).length;
      const r = await postAction(lw.users.operator, raise({ value: "max" }));
      expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 409, code: "conflict" });
      expect(errorMessageOf(r)).toContain("EROFS");
      expect(await fileText(parentDir)).toBe("60");
      expect((await lw.auditEntries()).slice(entries).filter((e) => e.kind !== "event")).toEqual([]);
    } finally {
      lw.reconfigure(ENV);
      await run("umount", [path.join(root, "pids")]);
      // rmdir, never a recursive remove: if the unmount failed, that would walk into the real cgroup tree.
      await rmdir(path.join(root, "pids"));
      await rmdir(root);
    }
  });
});

describe("with LEAKWATCH_CGROUP_WRITE=true", () => {
  beforeAll(() => lw.reconfigure({ ...ENV, LEAKWATCH_CGROUP_WRITE: "true" }));

  it("previews the deciding level, every level, the new effective limit, who else is affected, and that it does not persist", async () => {
    expect((await listActionsAvailable()).find((a) => a.name === "cgroup.set-pids-max")).toMatchObject({
      available: true,
      unavailableReason: null,
    });
    const r = await previewAction(lw.users.operator, raise({ value: 500 }));
    expect(r.status).toBe(200);
    expect(r.body.blockers).toEqual([]);
    expect(r.body.summary).toContain(`/${parent}`);
    expect(r.body.changes).toContainEqual({ what: `pids.max at /${parent}`, from: "60", to: "500" });
    expect(r.body.changes).toContainEqual({ what: "effective limit", from: 60, to: 500 });
    const w = (r.body.warnings ?? []).join("\n");
    expect(w).toContain(`Level /${parent} (this change): 60 tasks, pids.max 60.`);
    expect(w).toMatch(new RegExp(`Level /${parent}/${leaker}: \\d+ tasks, pids.max max\\.`));
    expect(w).toMatch(/New effective limit: 500 from ancestor at \/leakwatch-cgw-[^ ]+, headroom 440/);
    expect(w).toContain(`Also affects every other container under /${parent}: ${sharerName}.`);
    expect(w).not.toContain(strangerName);
    expect(w).toMatch(/Not persistent/);
    // A preview writes nothing.
    expect(await fileText(parentDir)).toBe("60");
  });

  it("lifts the cap in one click: the leak resumes, verified and audited with the file's old and new values", async () => {
    const r = await postAction(lw.users.operator, raise({ value: 200, timeboxSeconds: 60 }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(r.body.verify!.finding).toContain("effective limit now 200 from ancestor");
    expect(await fileText(parentDir)).toBe("200");
    expect(await fileText(otherDir)).toBe("50");
    // Grows again past the old cap.
    await waitFor(async () => (await readPidsCurrent(leaker)) > 100, {
      what: "the leak growing past 60 after the raise",
      timeoutMs: 30_000,
    });

    const mine = (await lw.auditEntries()).filter((e) => e.id === r.body.auditId);
    expect(mine.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(mine[0]).toMatchObject({
      action: "cgroup.set-pids-max",
      target: `local/${leakerName}`,
      params: { value: 200, timeboxSeconds: 60 },
      reason: "INC-10 lift the inherited cap",
    });
    expect(mine[1]).toMatchObject({
      result: "succeeded",
      before: { levelPath: `/${parent}`, pidsMax: "60" },
      after: { levelPath: `/${parent}`, pidsMax: "200" },
    });
    expect(await timeboxState(r.body.auditId!)).toBe("pending");

    // The time box runs out: the cap is back, and forks are refused again.
    await waitFor(async () => (await readPidsCurrent(leaker)) > 150, {
      what: "the leak near the raised cap",
      timeoutMs: 30_000,
    });
    await makeTimeboxDue(r.body.auditId!);
    await runDueRevertsLikeScheduler();
    expect(await timeboxState(r.body.auditId!)).toBe("reverted");
    expect(await fileText(parentDir)).toBe("60");
    const revert = (await lw.auditEntries()).filter(
      (e) => e.actor === "system:timebox" && e.action === "cgroup.set-pids-max",
    );
    expect(revert.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(revert[0]).toMatchObject({ params: { value: 60, level: 1 } });
    expect(revert[1]).toMatchObject({ result: "succeeded", before: { pidsMax: "200" }, after: { pidsMax: "60" } });
    const refusedBefore = await refused(leaker);
    await waitFor(async () => (await refused(leaker)) > refusedBefore, {
      what: "forks refused again at the restored cap",
    });
    const current = await readPidsCurrent(leaker);
    expect(current).toBeGreaterThan(60); // threads made meanwhile stay; no new ones start
  });
});

describe("only the container's own ancestry", () => {
  beforeAll(() => lw.reconfigure({ ...ENV, LEAKWATCH_CGROUP_WRITE: "true" }));

  it("refuses paths, names and levels that try to leave it, and writes nothing", async () => {
    const before = { parent: await fileText(parentDir), other: await fileText(otherDir) };
    const attempts: [ActionBody, number][] = [
      [raise({ value: "max", path: `/${other}` }), 400],
      [raise({ value: "max", file: `${otherDir}/pids.max` }), 400],
      [{ ...raise({ value: "max" }), target: { host: "local", id: `../../${other}` } }, 400],
      [{ ...raise({ value: "max" }), target: { host: "local", id: leakerName, path: `/${other}` } }, 400],
      [raise({ value: "max", level: 2 }), 409], // "/": the root has no pids.max
      [raise({ value: "max", level: 9 }), 409], // past the root
      [raise({ value: "-1" }), 400],
      [raise({ value: 0 }), 400],
    ];
    for (const [body, status] of attempts) {
      const r = await postAction(lw.users.operator, body);
      expect({ body, status: r.status }).toEqual({ body, status });
    }
    expect({ parent: await fileText(parentDir), other: await fileText(otherDir) }).toEqual(before);
  });

  it("refuses the container's own pids.max when Docker's PidsLimit sets it", async () => {
    const own = await startLeaker({ name: `${leakerName}-own`, mode: "healthy", pool: 2, pidsLimit: 30 });
    const r = await postAction(lw.users.operator, raise({ value: "max" }, `${leakerName}-own`));
    expect(r.status).toBe(409);
    expect(errorMessageOf(r)).toContain("container.set-pids-limit");
    const explicit = await postAction(lw.users.operator, raise({ value: "max", level: 0 }, `${leakerName}-own`));
    expect(explicit.status).toBe(409);
    expect(await fileText(await containerPidsDir(own))).toBe("30");
    await docker("rm", "-f", own);
  });
});
