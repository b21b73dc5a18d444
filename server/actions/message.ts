import "server-only";
import { z } from "zod";
import { withBroker } from "@/server/celery/connections";
import { layoutOf, queueKey, nameToBytes } from "@/server/celery/kombu-keys";
import { parseEnvelope } from "@/server/celery/envelope";
import { ConflictError } from "@/server/errors";
import { findByTag, movePicked, quarantinePicked, type PickResult } from "@/server/queue-ops/pick";
import { brokerConfig, liveQueue } from "@/server/sources/lookup";
import { retentionSecondsSchema } from "@/server/schemas/queue-actions";
import { queueTarget } from "./queue";
import type { ActionDef, NoState, Preview } from "./types";

// Actions on messages picked in the browser, one or a selection, each named by its delivery tag. The preview finds
// each one again and names it; one that left the queue since it was listed is a warning (all gone: refused), and at
// execute time one that vanished meanwhile is reported as vanished, never replaced by another.

type QueueTarget = z.infer<typeof queueTarget>;
const MAX_PICKED = 100;

const picked = z
  .array(
    z.object({
      deliveryTag: z.string().min(1).max(255),
      step: z.number().int().min(0).max(255),
      offset: z.number().int().min(0),
    }),
  )
  .min(1)
  .max(MAX_PICKED);

const moveParams = z.object({ to: queueTarget.shape.queue, messages: picked });
const quarantineParams = z.object({
  messages: picked,
  retentionSeconds: retentionSecondsSchema,
});

const label = (t: QueueTarget) => `${t.broker}/${t.queue}`;

/** Each picked message as it is now: its task and id, or null when it is no longer in the queue. */
async function locate(t: QueueTarget, messages: z.infer<typeof picked>) {
  const b = brokerConfig(t.broker);
  const layout = layoutOf(b);
  return withBroker(b, async (r) => {
    const out: { tag: string; what: string | null }[] = [];
    for (const m of messages) {
      const found = layout.prioritySteps.includes(m.step)
        ? await findByTag(r, queueKey(layout, nameToBytes(t.queue), m.step), m.deliveryTag, m.offset)
        : null;
      const parsed = found ? parseEnvelope(found.raw) : null;
      out.push({
        tag: m.deliveryTag,
        what: !found
          ? null
          : parsed?.ok
            ? `${parsed.value.task ?? "?"} ${parsed.value.id ?? ""}`.trim()
            : "(unparseable)",
      });
    }
    return out;
  });
}

/** The dialog shows the summary, not the targets: name the message there when there is one. */
function what(found: Awaited<ReturnType<typeof locate>>): string {
  if (found.length > 1) return `these ${found.length} messages`;
  return found[0]?.what ? `message ${found[0].what}` : "this message";
}

function pickedPreview(summary: string, t: QueueTarget, found: Awaited<ReturnType<typeof locate>>): Preview<NoState> {
  const here = found.filter((f) => f.what !== null);
  const gone = found.filter((f) => f.what === null);
  return {
    summary,
    targets: here.map((f) => `${label(t)} ${f.what} (tag ${f.tag})`),
    changes: [{ what: `depth of ${t.queue}`, from: null, to: `-${here.length}` }],
    warnings: [
      ...gone.map(
        (f) => `Message ${f.tag} is no longer in ${t.queue} (a worker took it or it was moved); it is skipped.`,
      ),
      "A message a worker takes before the action runs is reported as vanished; nothing else moves in its place.",
    ],
    blockers: here.length === 0 ? ["None of the picked messages is in the queue any more."] : [],
  };
}

function outcome(r: PickResult, where: string) {
  if (r.moved.length === 0)
    throw new ConflictError(
      `Nothing moved: ${r.vanished.length === 1 ? "the message" : `all ${r.vanished.length} messages`} vanished between listing and acting (${r.vanished.join(", ")}).`,
    );
  return {
    result: `${r.moved.length} moved to ${where}${r.vanished.length ? `; ${r.vanished.length} vanished between listing and acting` : ""}`,
    details: r,
    after: r,
  };
}

async function verifyGone(t: QueueTarget, p: { messages: z.infer<typeof picked> }, r: PickResult) {
  const now = await locate(
    t,
    p.messages.filter((m) => r.moved.includes(m.deliveryTag)),
  );
  const still = now.filter((f) => f.what !== null).map((f) => f.tag);
  return {
    ok: still.length === 0 && r.vanished.length === 0,
    finding: `${r.moved.length} no longer in ${t.queue}${still.length ? `; still there: ${still.join(", ")}` : ""}${r.vanished.length ? `; vanished before acting: ${r.vanished.join(", ")}` : ""}`,
  };
}

// No preview state: execute finds each message again by its tag; it hands verify what moved and vanished.
const moveAction: ActionDef<QueueTarget, z.infer<typeof moveParams>, NoState, PickResult> = {
  name: "queue.move-messages",
  title: "Move picked messages to another queue",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: moveParams,
  targetLabel: label,
  async preview(t, p) {
    const found = await locate(t, p.messages);
    const pv = pickedPreview(
      `Move ${what(found)} from ${t.queue} to ${p.to}, keeping ${found.length === 1 ? "its" : "their"} priority.`,
      t,
      found,
    );
    if (p.to === t.queue) pv.blockers.push("Source and target are the same queue.");
    if (p.to.startsWith("leakwatch.quarantine.")) pv.blockers.push("Use quarantine to quarantine messages.");
    if (!liveQueue(t.broker, p.to)?.consumers.length)
      pv.warnings.push(`Nobody consumes ${p.to}: moved messages wait there.`);
    return pv;
  },
  async execute(t, p) {
    const b = brokerConfig(t.broker);
    const r = await withBroker(b, (redis) =>
      movePicked(redis, layoutOf(b), { from: t.queue, to: p.to, messages: p.messages }),
    );
    return outcome(r, p.to);
  },
  verify: (t, p, _pv, exec) => verifyGone(t, p, exec.details!),
};

const quarantineAction: ActionDef<QueueTarget, z.infer<typeof quarantineParams>, NoState, PickResult> = {
  name: "queue.quarantine-messages",
  title: "Quarantine picked messages",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: quarantineParams,
  targetLabel: label,
  async preview(t, p) {
    const found = await locate(t, p.messages);
    const pv = pickedPreview(
      `Move ${what(found)} of ${t.queue} into a new quarantine kept ${Math.round(p.retentionSeconds / 86400)} days.`,
      t,
      found,
    );
    pv.warnings.push("Nothing is deleted: restore the quarantine from the queue page to run them later.");
    return pv;
  },
  async execute(t, p) {
    const b = brokerConfig(t.broker);
    const r = await withBroker(b, (redis) =>
      quarantinePicked(redis, layoutOf(b), {
        queue: t.queue,
        messages: p.messages,
        retentionSeconds: p.retentionSeconds,
      }),
    );
    return outcome(r, r.quarantine);
  },
  verify: (t, p, _pv, exec) => verifyGone(t, p, exec.details!),
};

export const messageActions = [moveAction, quarantineAction];
