import "server-only";
import type { FailureInputs } from "@/server/alerts/conditions";
import type { AlertRule } from "@/server/alerts/types";
import { getConfig } from "@/server/config";
import { exceptionTypeFirsts, failureCountsSince } from "./store";

// What the task alert rules need from the store, read once per alert pass with the rules' own windows.

export async function failureAlertInputs(rules: AlertRule[], nowMs: number): Promise<FailureInputs | undefined> {
  const brokers = getConfig()
    .brokers.filter((b) => b.resultBackend)
    .map((b) => b.name);
  if (brokers.length === 0) return undefined;
  const rate = rules.find((r) => r.id === "task-failures" && r.enabled);
  const fresh = rules.find((r) => r.id === "task-new-exception" && r.enabled);
  const counts = rate ? await failureCountsSince(nowMs - (rate.params.windowSeconds ?? 600) * 1000) : [];
  let newTypes: FailureInputs["newTypes"] = [];
  if (fresh) {
    const windowMs = (fresh.params.windowSeconds ?? 3600) * 1000;
    const { types, brokerFirst } = await exceptionTypeFirsts();
    // New means: first seen within the window, on a broker whose failures the console had been recording for at
    // least a window before (otherwise every type of a freshly attached backend would count as new).
    newTypes = types.filter(
      (t) => t.first >= nowMs - windowMs && t.first - (brokerFirst.get(t.broker) ?? t.first) >= windowMs,
    );
  }
  return {
    brokers,
    counts: counts.filter((c) => brokers.includes(c.broker)),
    newTypes: newTypes.filter((t) => brokers.includes(t.broker)),
  };
}
