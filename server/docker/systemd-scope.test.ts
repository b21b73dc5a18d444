import { describe, expect, it } from "vitest";
import type { CgroupReading } from "./cgroup";
import { ownSystemdScope, revertLimit, scopeAfterUpdate } from "./systemd-scope";

// What the VM test measured on docker.io 20.10 / runc 1.1 / systemd 252, said by the preview of container.set-pids-limit.

const ID = "9f383a71afa1b8584b139da2258e7487e6255978eece2bb63b4810c4392bb27e";
const reading = (ownMax: number | null, unit: string | null): CgroupReading => ({
  location: { mode: "v2", hierarchyDir: "/sys/fs/cgroup", path: `/system.slice/docker-${ID}.scope`, foundBy: "proc" },
  headroom: null,
  share: null,
  pids: {
    current: 600,
    limit: ownMax,
    effectiveLimit: ownMax,
    limitSource: "systemd-default",
    limitPath: null,
    peak: 600,
    refusedTotal: 3,
  },
  detail: {
    levels: [],
    kernel: { threadsMax: 4000, pidMax: 4194304, systemdDefaultTasksMax: 600 },
    hiddenCap: true,
    explanation: "",
    systemdUnit: unit,
  },
});

describe("Docker's limit on a systemd scope", () => {
  it("says what pids.max becomes for a number and for unlimited", () => {
    const scope = ownSystemdScope(reading(600, `docker-${ID}.scope`))!;
    expect(scopeAfterUpdate(scope, null, 1000)).toContain(
      "Docker sets TasksMax=1000 on it, so pids.max becomes 1000 (it was systemd's default TasksMax 600)",
    );
    expect(scopeAfterUpdate(scope, null, null)).toContain(
      "TasksMax=infinity on it, so pids.max becomes max (it was systemd's default TasksMax 600)",
    );
    expect(scopeAfterUpdate(scope, 50, null)).toContain("(it was pids.max 600)");
  });

  it("reverts a raise from systemd's default to the default's number, not to uncapped", () => {
    expect(revertLimit(ownSystemdScope(reading(600, `docker-${ID}.scope`)), null)).toBe(600);
    expect(revertLimit(ownSystemdScope(reading(40, `docker-${ID}.scope`)), 40)).toBe(40);
    expect(revertLimit(ownSystemdScope(reading(null, `docker-${ID}.scope`)), null)).toBeNull();
    // cgroupfs driver: no scope, Docker's own value as before.
    expect(revertLimit(ownSystemdScope(reading(null, null)), null)).toBeNull();
  });
});
