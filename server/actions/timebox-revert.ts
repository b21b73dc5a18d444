import "server-only";
import { runAction } from "./run";
import { runDueTimeboxes } from "./timebox";

// Due time boxes are reverted through the one action path, as the system actor, so the revert is audited like
// any change. The scheduler calls this every few seconds; tests call it to fire a revert without waiting.
export function revertDueTimeboxes(): Promise<void> {
  return runDueTimeboxes((box) =>
    runAction(
      { action: box.action, target: box.target, params: box.revertParams, reason: `time box ${box.id} expired without confirmation (raised in ${box.auditId})` },
      { username: "system:timebox", role: "operator", ip: null },
      { systemRevert: true },
    ),
  );
}
