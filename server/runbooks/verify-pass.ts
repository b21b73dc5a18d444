import "server-only";
import { containerHistory } from "@/server/history/containers";
import { queueHistory } from "@/server/history/queues";
import { liveQueue } from "@/server/sources/lookup";
import { log } from "@/server/log";
import { emit } from "@/server/bus";
import { lastMitigationAt } from "./progress";
import { addEntry, listEntries, openRuns, updateRun } from "./store";
import type { RunbookEntry, RunbookRun, VerifyStatus } from "./types";
import { verifyQueueBacklog, verifyThreadLeak } from "./verify";

// Verify is evaluated from stored history (so every instance computes the same) on each read of a run, and by the
// leader after every sampler pass, which writes a timeline entry when the verdict changes.

export async function computeVerify(run: RunbookRun, entries: RunbookEntry[], now: number): Promise<VerifyStatus> {
  const last = lastMitigationAt(entries);
  const t = run.target;
  if ("host" in t) {
    const points = last === null ? [] : (await containerHistory(t.host, t.id, "1h", now)).filter((p) => p.ts >= last);
    return verifyThreadLeak(points, last, now, { sharePercent: run.verifyShare, minutes: run.verifyMinutes });
  }
  const points = last === null ? [] : (await queueHistory(t.broker, t.queue, "1h", now)).filter((p) => p.ts >= last);
  const q = liveQueue(t.broker, t.queue);
  return verifyQueueBacklog(points, q?.consumers.length ?? 0, last, now, { minutes: run.verifyMinutes });
}

export async function checkOpenRuns(now: number): Promise<void> {
  for (const run of await openRuns()) {
    try {
      const entries = await listEntries(run.id);
      const v = await computeVerify(run, entries, now);
      if (v.state === run.verifyState || (v.state === "no-action" && run.verifyState === null)) continue;
      await updateRun(run.id, { verifyState: v.state }, now);
      // Watching/no-action flips are not news; a verdict is.
      if (v.state === "pass" || v.state === "fail")
        await addEntry(
          run.id,
          "system:verify",
          "verify",
          "verify",
          { state: v.state, detail: v.detail, criterion: v.criterion },
          now,
        );
      emit("runbooks", { id: run.id });
    } catch (e) {
      log.warn({ err: e, run: run.id }, "runbook verify check failed");
    }
  }
}
