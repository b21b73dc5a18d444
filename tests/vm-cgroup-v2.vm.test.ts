import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerSummary, CgroupDetail, ThreadDiagnosis } from "@/server/schemas/containers";
import { bootVm, startConsoleInVm, type ConsoleClient, type Vm } from "./support/vm";

// Dify's incident for real: a Debian bookworm VM (scripts/vm.sh: systemd, the unified cgroup v2 hierarchy, docker.io
// with the systemd cgroup driver, kernel.threads-max 4000 so systemd's DefaultTasksMax is 600) with the console's
// production build running inside it, driven over HTTP from here. Containers run with --network none.

const IMAGE = "leakwatch-fixture/leaker:latest";
const LABEL = "leakwatch.test=vm";

let vm: Vm;
let api: ConsoleClient;

interface Detail { container: ContainerSummary; cgroup: CgroupDetail | null }

const scopeOf = (id: string) => `/system.slice/docker-${id}.scope`;

async function runContainer(name: string, args: string): Promise<string> {
  return (await vm.sh(`docker run -d --network none --label ${LABEL} --name ${name} ${args}`)).trim();
}

async function readScope(id: string): Promise<{ pidsMax: string; tasksMax: string }> {
  const out = await vm.sh(`cat /sys/fs/cgroup${scopeOf(id)}/pids.max; systemctl show -p TasksMax --value docker-${id}.scope`);
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
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(v).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  vm = await bootVm();
  api = await startConsoleInVm(vm);
});

afterAll(async () => {
  await vm?.stop();
});

describe("cgroup v2 with Docker's systemd driver, in a VM", () => {
  it("boots systemd on the unified hierarchy, with Docker on the systemd cgroup driver", async () => {
    const out = await vm.sh("stat -fc %T /sys/fs/cgroup; readlink /proc/1/exe; docker info --format '{{.CgroupDriver}} {{.CgroupVersion}}'; sysctl -n kernel.threads-max; systemctl show -p DefaultTasksMax --value");
    expect(out.trim().split("\n")).toEqual(["cgroup2fs", "/usr/lib/systemd/systemd", "systemd 2", "4000", "600"]);
  });
});
