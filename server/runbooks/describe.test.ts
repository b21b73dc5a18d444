import { describe, expect, it } from "vitest";
import { containerRunLabel, describeEntry, entryTarget, shownTarget } from "./describe";
import type { RunbookEntry, RunbookRun } from "./types";

const fullId = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
const run: Pick<RunbookRun, "target" | "targetLabel"> = {
  target: { host: "local", id: fullId },
  targetLabel: containerRunLabel("local", "lw-leaker", fullId),
};
const action = (detail: Record<string, unknown>): RunbookEntry => ({
  id: "a",
  ts: 1,
  actor: "ana",
  kind: "action",
  step: "mitigate",
  detail: { auditId: "aud-1", action: "cgroup.set-pids-max", status: "succeeded", ...detail },
});

describe("runbook timeline targets", () => {
  it("names the container where an older entry recorded its full hash, and keeps the id for hover", () => {
    const e = action({ target: `local/${fullId}` });
    expect(describeEntry(e, run)).toBe("ran cgroup.set-pids-max on local/lw-leaker: succeeded — audit aud-1");
    expect(describeEntry(e, run)).not.toContain(fullId);
    expect(entryTarget(e, run)).toEqual({ text: "local/lw-leaker", id: `local/${fullId}` });
  });

  it("names it for a 12-character prefix too, and for the label the run was started with", () => {
    expect(shownTarget(`local/${fullId.slice(0, 12)}`, run).text).toBe("local/lw-leaker");
    const created: RunbookEntry = {
      id: "c",
      ts: 0,
      actor: "ana",
      kind: "created",
      step: null,
      detail: { kind: "thread-leak", target: run.targetLabel, alertId: null },
    };
    expect(describeEntry(created, run)).toBe("started the thread-leak runbook for local/lw-leaker");
    expect(entryTarget(created, run)?.id).toBe(`local/${fullId}`);
  });

  it("keeps a recorded id that is not the run's container: a same-named replacement is another container", () => {
    const other = `local/${"1".repeat(64)}`;
    expect(entryTarget(action({ target: "local/lw-leaker", targetId: other }), run)).toEqual({
      text: "local/lw-leaker",
      id: other,
    });
  });

  it("shows queue targets as recorded, with no id", () => {
    const queueRun = { target: { broker: "main", queue: "mail" }, targetLabel: "main/mail" };
    expect(entryTarget(action({ target: "main/mail" }), queueRun)).toEqual({ text: "main/mail", id: null });
    expect(describeEntry(action({ target: "main/mail" }), queueRun)).toContain("on main/mail:");
  });

  it("builds the label the run is looked up by: name first, 12-character id after", () => {
    expect(containerRunLabel("local", "lw-leaker", fullId)).toBe(`local/lw-leaker (${fullId.slice(0, 12)})`);
  });
});

describe("runbook timeline changes", () => {
  it("says raise and the scheduler's revert, with the limits, for entries that kept their params", () => {
    const raise = action({
      action: "container.set-pids-limit",
      target: "local/lw-leaker",
      params: { limit: 2000, revertAfterSeconds: 900 },
      before: 1200,
    });
    expect(describeEntry(raise, run)).toBe(
      "raise to 2,000 for 15m on local/lw-leaker (container.set-pids-limit): succeeded — audit aud-1",
    );
    const revert: RunbookEntry = {
      ...action({
        action: "container.set-pids-limit",
        target: "local/lw-leaker",
        params: { limit: 1200 },
        before: 2000,
      }),
      actor: "system:timebox",
    };
    expect(describeEntry(revert, run)).toBe(
      "time box expired: revert to 1,200 (time box) on local/lw-leaker (container.set-pids-limit): succeeded — audit aud-1",
    );
  });
});
