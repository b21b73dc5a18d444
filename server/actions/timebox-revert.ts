import "server-only";
import { containerTarget, readContainerState } from "./container-target";
import { TIMEBOX_ACTOR } from "@/lib/change-label";
import { log } from "@/server/log";
import { recordTimeboxRevert } from "@/server/runbooks/service";
import { runAction } from "./run";
import { runDueTimeboxes, type Timebox } from "./timebox";

// Due time boxes are reverted through the one action path, as the system actor, so the revert is audited like
// any change. The scheduler calls this every few seconds; tests call it to fire a revert without waiting.
export function revertDueTimeboxes(): Promise<void> {
  return runDueTimeboxes(async (box) => {
    const outcome = await runAction(
      {
        action: box.action,
        target: box.target,
        params: box.revertParams,
        reason: `time box ${box.id} expired without confirmation (raised in ${box.auditId})`,
      },
      { username: TIMEBOX_ACTOR, role: "operator", ip: null },
      { systemRevert: true },
    );
    // A runbook that recorded the raise shows its revert too (timeline, actions, report).
    await recordTimeboxRevert(box.auditId, outcome.auditId).catch((e: unknown) =>
      log.warn({ err: e, timebox: box.id }, "time-box revert: could not add it to the runbook timeline"),
    );
    return outcome;
  }, holdBelowUsage);
}

/** A revert that would put the pids limit at or below the tasks running now would refuse forks at once: hold it. */
async function holdBelowUsage(box: Timebox): Promise<string | null> {
  if (box.action !== "container.set-pids-limit") return null;
  const limit = box.revertParams.limit;
  const target = containerTarget.safeParse(box.target);
  if (typeof limit !== "number" || !target.success) return null;
  const { cgroup } = await readContainerState(target.data).catch(() => ({ cgroup: null }));
  const current = cgroup?.pids.current ?? null;
  return current !== null && current >= limit
    ? `Revert held: ${current} tasks run now, at or above the old limit ${limit}. Keep the raise, or revert by hand once usage is lower.`
    : null;
}
