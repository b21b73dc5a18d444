import "server-only";
import { randomUUID } from "node:crypto";
import { emit } from "@/server/bus";
import { getConfig } from "@/server/config";
import { errorMessage } from "@/server/errors";
import { log } from "@/server/log";
import { afterAttempt, DEFAULT_POLICY, enqueueItems, formatDelivery } from "./outbox";
import { lastSentByGroup, unsentDeliveries, writeDeliveries } from "./store";
import type { DeliveryItem, DeliveryRecord } from "./types";
import { processState } from "@/server/process-state";

// Sends due webhook deliveries (leader only, via pass.ts). One POST per delivery with a timeout; the outcome
// (status, error, attempts) is stored so the alerts page shows failures and retries.

const SEND_TIMEOUT_MS = 5000;
const flushing = () => processState("alerts/flushing", () => ({ now: false }));

export async function queueNotifications(items: DeliveryItem[], now: number): Promise<void> {
  const hooks = getConfig().webhooks;
  if (items.length === 0 || hooks.length === 0) return;
  const [queued, last] = await Promise.all([unsentDeliveries(), lastSentByGroup()]);
  await writeDeliveries(enqueueItems(queued, items, hooks, last, now, DEFAULT_POLICY, randomUUID));
}

/** A webhook's path and query are often its secret (Slack's /services/T/B/token): logs get the origin only. */
function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

async function post(d: DeliveryRecord): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  try {
    const res = await fetch(d.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "leakwatch-alerts" },
      body: JSON.stringify(formatDelivery(d, getConfig().publicUrl)),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      redirect: "error",
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok
      ? { ok: true, status: res.status, error: null }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, status: null, error: errorMessage(e) };
  }
}

/** Sends every delivery whose time has come. Runs detached; a second call while one runs is a no-op. */
export async function flushDeliveries(now = Date.now()): Promise<void> {
  if (flushing().now) return;
  flushing().now = true;
  try {
    const due = (await unsentDeliveries()).filter((d) => d.notBefore <= now);
    for (const d of due) {
      const r = await post(d);
      const next = afterAttempt(d, r, Date.now(), DEFAULT_POLICY);
      await writeDeliveries([next]);
      if (!r.ok)
        log.warn(
          { url: webhookOrigin(d.url), attempts: next.attempts, error: r.error },
          "alert webhook delivery failed",
        );
    }
    if (due.length) emit("alerts", { deliveries: due.length });
  } catch (e) {
    log.warn({ err: e }, "alert deliveries: flush failed");
  } finally {
    flushing().now = false;
  }
}
