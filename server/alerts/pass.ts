import "server-only";
import { randomUUID } from "node:crypto";
import { emit } from "@/server/bus";
import { snapshot } from "@/server/live";
import { log } from "@/server/log";
import { checkOpenRuns } from "@/server/runbooks/verify-pass";
import type { ContainersResponse, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import { listSources } from "@/server/sources/status";
import { evaluateConditions } from "./conditions";
import { flushDeliveries, queueNotifications } from "./deliver";
import { stepAlerts } from "./lifecycle";
import { activeAlerts, loadRules, writeAlerts } from "./store";

// One alert pass after each sampler pass: only the history-lease leader evaluates and sends, so instances sharing
// a database agree on one set of alerts. Passes are serialised: the container and queue passes may overlap.

const g = globalThis as unknown as { __leakwatchAlertChain?: Promise<void> };

async function evaluateOnce(now: number): Promise<void> {
  const rules = await loadRules();
  const { conditions, scopes } = evaluateConditions(
    {
      containers: snapshot<ContainersResponse>("containers"),
      queues: snapshot<QueuesResponse>("queues"),
      workers: snapshot<WorkersResponse>("workers"),
      sources: listSources().filter((s) => s.kind !== "audit"),
    },
    rules,
  );
  const step = stepAlerts(await activeAlerts(), conditions, scopes, rules, now, randomUUID);
  await writeAlerts(step.upsert, step.remove);
  await queueNotifications(step.notify, now);
  if (step.notify.length || step.remove.length) emit("alerts", { changed: step.notify.length + step.remove.length });
}

export function runAlertPass(leader: boolean): Promise<void> {
  if (!leader) return Promise.resolve();
  const next = (g.__leakwatchAlertChain ?? Promise.resolve())
    .then(async () => {
      const now = Date.now();
      await evaluateOnce(now);
      await checkOpenRuns(now);
      void flushDeliveries();
    })
    .catch((e) => log.warn({ err: e }, "alert pass failed"));
  g.__leakwatchAlertChain = next;
  return next;
}
