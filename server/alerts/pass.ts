import "server-only";
import { randomUUID } from "node:crypto";
import { emit } from "@/server/bus";
import { snapshot } from "@/server/live";
import { log } from "@/server/log";
import type { ContainersResponse, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import { listSources } from "@/server/sources/status";
import { failureAlertInputs } from "@/server/failures/alert-inputs";
import { evaluateConditions } from "./conditions";
import { flushDeliveries, queueNotifications } from "./deliver";
import { stepAlerts } from "./lifecycle";
import { activeAlerts, loadRules, writeAlerts } from "./store";

// One alert pass after each sampler pass, run by the history-lease leader only (so instances sharing a database agree
// on one set of alerts) and one at a time: server/samplers.ts serialises the passes and owns both conditions.

async function evaluateOnce(now: number): Promise<void> {
  const rules = await loadRules();
  const { conditions, scopes } = evaluateConditions(
    {
      containers: snapshot<ContainersResponse>("containers"),
      queues: snapshot<QueuesResponse>("queues"),
      workers: snapshot<WorkersResponse>("workers"),
      sources: listSources().filter((s) => s.kind !== "audit"),
      // Failure rules read the store; when it cannot be read, their alerts stay as they are (scope not evaluated).
      failures: await failureAlertInputs(rules, now).catch((e) => {
        log.warn({ err: e }, "could not read task failures for alerts");
        return undefined;
      }),
    },
    rules,
  );
  const step = stepAlerts(await activeAlerts(), conditions, scopes, rules, now, randomUUID);
  await writeAlerts(step.upsert, step.remove);
  await queueNotifications(step.notify, now);
  if (step.notify.length || step.remove.length) emit("alerts", { changed: step.notify.length + step.remove.length });
}

/** Evaluates the rules on the latest snapshots, records what changed, and sends what is due. Never throws. */
export async function runAlertPass(now: number): Promise<void> {
  try {
    await evaluateOnce(now);
    void flushDeliveries();
  } catch (e) {
    log.warn({ err: e }, "alert pass failed");
  }
}
