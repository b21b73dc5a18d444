import { describe, expect, it } from "vitest";
import { changeLabel } from "./change-label";

const limit = (params: Record<string, unknown>, before: unknown, actor = "alice") => ({
  action: "container.set-pids-limit",
  actor,
  params,
  before,
  outcome: "succeeded",
});

describe("changeLabel", () => {
  it("names a raise with its time box and the scheduler's revert as a time-box revert", () => {
    expect(changeLabel(limit({ limit: 2000, revertAfterSeconds: 900 }, 1200))).toBe("raise to 2,000 for 15m");
    expect(changeLabel(limit({ limit: 1200 }, 2000, "system:timebox"))).toBe("revert to 1,200 (time box)");
  });

  it("tells raise, lower and set apart by the old limit (null is unlimited)", () => {
    expect(changeLabel(limit({ limit: 500 }, 1200))).toBe("lower to 500");
    expect(changeLabel(limit({ limit: null }, 1200))).toBe("raise to unlimited");
    expect(changeLabel(limit({ limit: 800 }, null))).toBe("set to 800");
    expect(changeLabel(limit({ limit: 800, revertAfterSeconds: 60 }, null))).toBe("raise to 800 for 1m");
    expect(changeLabel(limit({ limit: 800 }, 800))).toBe("set to 800");
    expect(changeLabel(limit({ limit: 800 }, undefined))).toBe("set to 800");
  });

  it("names restarts, stops, signals, keeps and the cgroup cap; a failed change says so", () => {
    expect(changeLabel({ action: "container.restart", actor: "a", params: { graceSeconds: 10 } })).toBe("restart");
    expect(changeLabel({ action: "container.signal", actor: "a", params: { signal: "SIGQUIT" } })).toBe(
      "signal SIGQUIT",
    );
    expect(changeLabel({ action: "container.confirm-pids-limit", actor: "a", params: {} })).toBe("keep raised limit");
    expect(
      changeLabel({ action: "cgroup.set-pids-max", actor: "a", params: { value: 40000, timeboxSeconds: 7200 } }),
    ).toBe("cgroup cap to 40,000 for 2h");
    expect(changeLabel({ action: "cgroup.set-pids-max", actor: "system:timebox", params: { value: "max" } })).toBe(
      "revert cgroup cap to unlimited (time box)",
    );
    expect(changeLabel({ ...limit({ limit: 2000 }, 1200), outcome: "failed" })).toBe("raise to 2,000 (failed)");
  });

  it("is null for actions that change no container", () => {
    expect(changeLabel({ action: "queue.purge", actor: "a", params: {} })).toBeNull();
  });
});
