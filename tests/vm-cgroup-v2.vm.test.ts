import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerSummary, CgroupDetail, ThreadDiagnosis } from "@/server/schemas/containers";
import type { HostCommand } from "@/server/runbooks/types";
import { bootVm, startConsoleInVm, type ConsoleClient, type Vm } from "@/server/testing/vm";

// Dify's incident for real: a Debian bookworm VM (scripts/vm.sh: systemd, the unified cgroup v2 hierarchy, docker.io
// with the systemd cgroup driver, kernel.threads-max 4000 so systemd's DefaultTasksMax is 600) with the console's
// production build running inside it, driven over HTTP from here. Containers run with --network none.

const IMAGE = "leakwatch-fixture/leaker:latest";
const LABEL = "leakwatch.test=vm";

let vm: Vm;
let api: ConsoleClient;

interface Detail {
  container: ContainerSummary;
  cgroup: CgroupDetail | null;
}

const scopeOf = (id: string) => `/system.slice/docker-${id}.scope`;

async function runContainer(name: string, args: string): Promise<string> {
  return (await vm.sh(`docker run -d --network none --label ${LABEL} --name ${name} ${args}`)).trim();
}

async function readScope(id: string): Promise<{ pidsMax: string; tasksMax: string }> {
  const out = await vm.sh(
    `cat /sys/fs/cgroup${scopeOf(id)}/pids.max; systemctl show -p TasksMax --value docker-${id}.scope`,
  );
  const [pidsMax, tasksMax] = out.trim().split("\n") as [string, string];
  return { pidsMax, tasksMax };
}

async function detail(id: string): Promise<Detail | null> {
  const r = await api.get<Detail>(`/api/containers/local/${id}`);
  return r.status === 200 ? r.body : null;
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 180_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(v).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  vm = await bootVm();
  // The one-click raise writes pids.max: the opt-in, with the VM's cgroup tree writable by root.
  api = await startConsoleInVm(vm, { LEAKWATCH_CGROUP_WRITE: "true" });
});

afterAll(async () => {
  await vm?.stop();
});

interface PreviewBody {
  summary: string;
  warnings: string[];
  blockers: string[];
}
interface ActionBody {
  status: string;
  result: string | null;
  error: string | null;
}

describe("cgroup v2 with Docker's systemd driver, in a VM", () => {
  let leakId = "";

  it("boots systemd on the unified hierarchy, with Docker on the systemd cgroup driver", async () => {
    const out = await vm.sh(
      "stat -fc %T /sys/fs/cgroup; readlink /proc/1/exe; docker info --format '{{.CgroupDriver}} {{.CgroupVersion}}'; sysctl -n kernel.threads-max; systemctl show -p DefaultTasksMax --value",
    );
    // systemd's default: 15% of min(threads-max 4000, pid_max - 1) = 600.
    expect(out.trim().split("\n")).toEqual(["cgroup2fs", "/usr/lib/systemd/systemd", "systemd 2", "4000", "600"]);
    console.log(`VM booted in ${vm.bootSeconds}s (ssh, dockerd and the leaker image ready)`);
  });

  it("Docker's own limit on this driver: a number sets the scope's TasksMax, -1 and 0 at creation leave systemd's default", async () => {
    // One shell round trip for all of them: each ssh and docker call is slow under TCG.
    const out = await vm.sh(
      [
        `r() { n=$1; shift; id=$(docker run -d --network none --label ${LABEL} --name lw-$n "$@" ${IMAGE} --healthy --pool 2);`,
        `echo "$n $(docker inspect -f '{{.HostConfig.PidsLimit}}' $id) $(cat /sys/fs/cgroup/system.slice/docker-$id.scope/pids.max) $(systemctl show -p TasksMax --value docker-$id.scope)"; };`,
        `r unset; r n50 --pids-limit 50; r m1 --pids-limit -1; r z0 --pids-limit 0`,
      ].join(" "),
    );
    expect(out.trim().split("\n")).toEqual([
      "unset <nil> 600 600",
      "n50 50 50 50",
      "m1 <nil> 600 600",
      "z0 <nil> 600 600",
    ]);

    // What the console's Set pids limit sends (docker update, -1 for unlimited) on the scope with the default.
    const unsetId = (await vm.sh("docker inspect -f '{{.Id}}' lw-unset")).trim();
    await until(
      "the console lists lw-unset",
      () => detail(unsetId),
      (d) => d?.cgroup?.systemdUnit === `docker-${unsetId}.scope`,
    );
    const unlimited = await api.post<PreviewBody>("/api/actions/preview", {
      action: "container.set-pids-limit",
      target: { host: "local", id: unsetId },
      params: { limit: null, revertAfterSeconds: 60 },
    });
    expect(unlimited.status).toBe(200);
    const said = unlimited.body.warnings.join("\n");
    expect(said).toContain("TasksMax=infinity");
    expect(said).toContain("pids.max becomes max (it was systemd's default TasksMax 600)");
    expect(said).toContain("Reverts to 600");
    const numbered = await api.post<PreviewBody>("/api/actions/preview", {
      action: "container.set-pids-limit",
      target: { host: "local", id: unsetId },
      params: { limit: 1000 },
    });
    expect(numbered.body.warnings.join("\n")).toContain("Docker sets TasksMax=1000 on it, so pids.max becomes 1000");

    // The previews say what this really does.
    const after = await vm.sh(
      [
        `docker update --pids-limit 1000 lw-unset >/dev/null; echo "1000 $(cat /sys/fs/cgroup${scopeOf(unsetId)}/pids.max)";`,
        `docker update --pids-limit -1 lw-unset >/dev/null; echo "-1 $(docker inspect -f '{{.HostConfig.PidsLimit}}' lw-unset) $(cat /sys/fs/cgroup${scopeOf(unsetId)}/pids.max)";`,
        `docker update --pids-limit 0 lw-n50 >/dev/null; echo "0 $(cat /sys/fs/cgroup/system.slice/docker-$(docker inspect -f '{{.Id}}' lw-n50).scope/pids.max)";`,
        `docker restart -t 1 lw-unset >/dev/null; echo "restart $(cat /sys/fs/cgroup${scopeOf(unsetId)}/pids.max)";`,
        `docker rm -f lw-unset lw-n50 lw-m1 lw-z0 >/dev/null`,
      ].join(" "),
    );
    expect(after.trim().split("\n")).toEqual(["1000 1000", "-1 0 max", "0 50", "restart max"]);
  });

  it("a leak without --pids-limit stops at systemd's default, and the console names it, forecasts it and diagnoses it", async () => {
    leakId = await runContainer("lw-leak", `${IMAGE} --rate 4 --max 900`);
    // The forecast needs a minute of samples: at 4 threads/s the default of 600 is ~150 s away.
    const before = await until(
      "an ETA before the cap is reached",
      () => detail(leakId),
      (d) => d !== null && d.container.etaSeconds !== null,
    );
    expect(before!.container.pids.refusedTotal).toBe(0);
    expect(before!.container.pids.current).toBeLessThan(600);

    await until(
      "the leaker logs can't start new thread",
      () => vm.sh(`docker logs lw-leak 2>&1 | grep -c "can't start new thread" || true`),
      (n) => Number(n.trim()) > 0,
      600_000,
    );
    const scope = await readScope(leakId);
    expect(scope).toEqual({ pidsMax: "600", tasksMax: "600" });
    const d = (await until(
      "the console counts refused forks",
      () => detail(leakId),
      (v) => (v?.container.pids.refusedTotal ?? 0) > 0,
    ))!;
    expect(d.container.pids).toMatchObject({
      limit: 600,
      effectiveLimit: 600,
      limitSource: "systemd-default",
      limitPath: scopeOf(leakId),
    });
    expect(d.cgroup).toMatchObject({
      hiddenCap: true,
      systemdUnit: `docker-${leakId}.scope`,
      kernel: { threadsMax: 4000, systemdDefaultTasksMax: 600 },
    });
    expect(d.cgroup!.explanation).toContain(`docker-${leakId}.scope caps it at 600: systemd's DefaultTasksMax`);
    const events = Number(/max (\d+)/.exec(await vm.sh(`cat /sys/fs/cgroup${scopeOf(leakId)}/pids.events`))![1]);
    expect(d.container.pids.refusedTotal).toBeGreaterThan(0);
    expect(d.container.pids.refusedTotal).toBeLessThanOrEqual(events);
    expect(d.container.status).toBe("critical");

    const threads = await api.get<ThreadDiagnosis>(`/api/containers/local/${leakId}/threads`);
    expect(threads.status).toBe(200);
    expect(threads.body.source).toBe("procfs");
    expect(threads.body.totalThreads).toBe(600);
    expect(threads.body.names[0]).toEqual({ comm: "leak-worker", count: 599 });
    expect(threads.body.logSignatures.map((l) => l.signature)).toContain("can't start new thread");
  });

  it("the one-click raise lifts the scope's cap, the leak resumes, and the time box puts the cap back", async () => {
    const preview = await api.post<PreviewBody>("/api/actions/preview", {
      action: "cgroup.set-pids-max",
      target: { host: "local", id: leakId },
      params: { value: 800, timeboxSeconds: 30 },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.blockers).toEqual([]);
    const run = await api.post<ActionBody>("/api/actions", {
      action: "cgroup.set-pids-max",
      target: { host: "local", id: leakId },
      params: { value: 800, timeboxSeconds: 30 },
      reason: "vm test",
    });
    expect(run.body.error).toBeNull();
    expect(run.body.status).toBe("succeeded");
    expect((await readScope(leakId)).pidsMax).toBe("800");
    const raised = await until(
      "the leak grows past 600",
      () => detail(leakId),
      (v) => (v?.container.pids.current ?? 0) > 600,
    );
    expect(raised!.container.pids.effectiveLimit).toBe(800);
    // The revert runs on the console's 5 s time-box schedule once 30 s are up.
    await until(
      "the time box puts the cap back",
      () => readScope(leakId),
      (s) => s.pidsMax === "600",
      300_000,
    );
    await until(
      "the console shows the cap again",
      () => detail(leakId),
      (v) => v?.container.pids.effectiveLimit === 600,
    );
  });

  it("the runbook's persistent fix, run as printed, gives the restarted container's new scope the new limit", async () => {
    const created = await api.post<{ run: { id: string } }>("/api/runbooks", {
      kind: "thread-leak",
      target: { host: "local", id: leakId },
    });
    expect([200, 201]).toContain(created.status);
    const ctx = await api.get<{ advice: { inherited: boolean; commands: HostCommand[] } | null }>(
      `/api/runbooks/${created.body.run.id}/context`,
    );
    expect(ctx.status).toBe(200);
    const fix = ctx.body.advice!.commands.find((c) => c.title === "Change systemd's default for new scopes");
    expect(fix).toBeDefined();
    await vm.sh(fix!.command);
    expect((await vm.sh("systemctl show -p DefaultTasksMax --value")).trim()).toBe("infinity");
    // Measured: daemon-reexec re-applies the new default to running scopes that set no TasksMax of their own, too.
    expect((await readScope(leakId)).pidsMax).toBe("max");
    await vm.sh("docker restart -t 1 lw-leak >/dev/null");
    expect(await readScope(leakId)).toEqual({ pidsMax: "max", tasksMax: "infinity" });
    const d = await until(
      "the console sees the uncapped scope",
      () => detail(leakId),
      (v) => v !== null && v.container.pids.limit === null && v.container.pids.limitSource !== "systemd-default",
    );
    expect(d!.container.pids.effectiveLimit).toBeNull();
  });
});
