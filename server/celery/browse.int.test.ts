// The message browser and per-message actions against real Celery 5.2 producers and workers: the order shown is the
// order a worker then receives, a picked message moves or is quarantined by its tag, and one that left the queue
// between listing and acting is reported, never mistaken for its neighbour.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { produce, startCeleryWorker, startProducer, stopAllProcesses, waitFor } from "@/server/testing/harness";
import { all, byStep, firstArg, markersWith, namespace, parse, type Namespace } from "@/server/testing/queue-ops";
import { listQuarantines } from "@/server/queue-ops/quarantine";
import { movePicked, quarantinePicked } from "@/server/queue-ops/pick";
import type { BrowsedMessage, MessageQuery } from "@/server/schemas/messages";
import { readMessagePage } from "./browse";

let ns: Namespace | undefined;

afterEach(async () => {
  await stopAllProcesses("SIGKILL");
  await ns?.cleanup();
  ns = undefined;
});

const query = (q: Partial<MessageQuery> = {}): MessageQuery => ({ limit: 50, scan: 10_000, ...q });

/** Every page from the start, following the cursors. */
async function browseAll(n: Namespace, queue: string, limit: number) {
  const rows: BrowsedMessage[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await readMessagePage(n.redis, n, queue, query({ limit, cursor }), { showArgs: false });
    rows.push(...page.messages);
    if (!page.nextCursor) return rows;
    cursor = page.nextCursor;
  }
  throw new Error("the browser never reached the end");
}

/** message id -> tasks.record marker, read from the raw lists. */
async function markerById(n: Namespace, queue: string): Promise<Map<string, string>> {
  return new Map(all(await byStep(n, queue)).map((m) => [parse(m).headers.id, firstArg(parse(m))]));
}

describe("message browser", () => {
  it("lists a queue with priorities in the order a worker then receives it, while a producer runs", async () => {
    ns = await namespace();
    await produce({
      queue: "dataset",
      task: "tasks.record",
      count: 24,
      priority: "mix",
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const producer = startProducer({
      queue: "dataset",
      task: "tasks.record",
      priority: "mix",
      rate: 20,
      markerPrefix: `${ns.markerPrefix}late`,
      env: ns.env(),
    });
    const rows = await browseAll(ns, "dataset", 5);
    const markers = await markerById(ns, "dataset");
    await producer.stop("SIGTERM");
    const shown = rows.map((r) => markers.get(r.id!)!).filter((m) => m.startsWith(`${ns!.markerPrefix}-`));
    expect(shown).toHaveLength(24);
    // Shown by step (0 first), each step oldest first: positions count up from 0 without a gap.
    expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i));
    expect(rows.map((r) => r.step)).toEqual([...rows.map((r) => r.step)].sort((a, b) => a - b));
    const worker = startCeleryWorker({
      queues: ["dataset"],
      hostname: `browse-order-${process.pid}`,
      pool: "solo",
      concurrency: 1,
      env: ns.env(),
    });
    await worker.waitReady();
    const ran = await waitFor(
      async () => {
        const m = (await markersWith(ns!.markerPrefix)).filter((x) => x.startsWith(`${ns!.markerPrefix}-`));
        return m.length >= 24 ? m : undefined;
      },
      { what: "the 24 first messages to run", timeoutMs: 150_000 },
    );
    expect(ran).toEqual(shown);
  }, 180_000);

  it("says how far the queue moved under the cursor and continues after the last message shown", async () => {
    ns = await namespace();
    await produce({
      queue: "mail",
      task: "tasks.record",
      count: 20,
      priority: 3,
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const first = await readMessagePage(ns.redis, ns, "mail", query({ limit: 5 }), { showArgs: false });
    const key = `${ns.prefix}mail\x06\x163`;
    await ns.redis.rpop(key, 3); // what a worker's BRPOP does, three times
    const second = await readMessagePage(ns.redis, ns, "mail", query({ limit: 5, cursor: first.nextCursor! }), {
      showArgs: false,
    });
    expect(second.cursorNote).toMatch(/^3 messages ahead/);
    const order = all(await byStep(ns, "mail")).map((m) => parse(m).headers.id);
    // Right after the fifth message of the first page: nothing skipped, nothing repeated.
    expect(second.messages.map((r) => r.id)).toEqual(order.slice(2, 7));
    expect(first.messages[4]!.id).toBe(order[1]);
  });

  it("filters by task over a bounded window, says how much it searched, and hides arguments unless allowed", async () => {
    ns = await namespace();
    await produce({ queue: "plugin", task: "tasks.send_mail", count: 30, env: ns.env() });
    await produce({ queue: "plugin", task: "tasks.index_document", count: 2, env: ns.env() });
    const hidden = await readMessagePage(ns.redis, ns, "plugin", query({ task: "INDEX_doc", scan: 20 }), {
      showArgs: false,
    });
    expect(hidden).toMatchObject({ searched: 20, reachedEnd: false, messages: [] });
    const found = await readMessagePage(ns.redis, ns, "plugin", query({ task: "index_doc" }), { showArgs: false });
    expect(found.messages.map((m) => m.task)).toEqual(["tasks.index_document", "tasks.index_document"]);
    expect(found).toMatchObject({ searched: 32, reachedEnd: true });
    expect(found.messages[0]!.argsPreview).toBeUndefined();
    expect(found.messages[0]!.envelope.body).toMatch(/hidden/);
    expect(found.messages[0]!.envelope.headers!.argsrepr).toMatch(/hidden/);
    const shown = await readMessagePage(ns.redis, ns, "plugin", query({ id: found.messages[1]!.id! }), {
      showArgs: true,
    });
    expect(shown.messages).toHaveLength(1);
    expect(shown.messages[0]!.position).toBe(31);
    expect(Array.isArray(shown.messages[0]!.envelope.body)).toBe(true);
    expect(typeof shown.messages[0]!.argsPreview).toBe("string");
  });

  it("lists a message that does not parse with its error instead of dropping it", async () => {
    ns = await namespace();
    await produce({ queue: "ops_trace", task: "tasks.send_mail", count: 2, env: ns.env() });
    await ns.redis.rpush(`${ns.prefix}ops_trace`, Buffer.from([0xff, 0xfe, 0x00, 0x01])); // next to be delivered
    const page = await readMessagePage(ns.redis, ns, "ops_trace", query(), { showArgs: true });
    expect(page.messages).toHaveLength(3);
    expect(page.messages[0]).toMatchObject({ position: 0, task: null, sizeBytes: 4 });
    expect(page.messages[0]!.parseError).toMatch(/^binary/);
    expect(page.messages[0]!.envelope.raw).toEqual({ encoding: "base64", text: "//4AAQ==" });
  });

  it("finds a protocol 1 message by task name though its name is only inside the base64 body", async () => {
    ns = await namespace();
    await produce({ queue: "mail", task: "tasks.send_mail", count: 3, env: ns.env() });
    // Captured from a real Celery 5.2 producer with task_protocol 1 (server/celery/__fixtures__/capture.py).
    const { raw } = JSON.parse(
      readFileSync(new URL("./__fixtures__/message-protocol1.json", import.meta.url), "utf8"),
    ) as { raw: string };
    await ns.redis.lpush(`${ns.prefix}mail`, raw);
    const page = await readMessagePage(ns.redis, ns, "mail", query({ task: "SEND_INVITE" }), { showArgs: false });
    expect(page.messages.map((m) => [m.position, m.task])).toEqual([[3, "tasks.mail.send_invite_member_mail_task"]]);
  });
});

describe("acting on picked messages", () => {
  it("moves one message by its tag after workers took some ahead of it, and quarantines another", async () => {
    ns = await namespace();
    await produce({
      queue: "workflow",
      task: "tasks.record",
      count: 12,
      priority: 6,
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const { messages } = await readMessagePage(ns.redis, ns, "workflow", query(), { showArgs: false });
    const key = `${ns.prefix}workflow\x06\x166`;
    await ns.redis.rpop(key, 2); // a worker took the first two: every offset shifts
    const pick = messages[6]!;
    const r = await movePicked(ns.redis, ns, {
      from: "workflow",
      to: "conversation",
      messages: [{ deliveryTag: pick.deliveryTag!, step: pick.step, offset: pick.offset }],
    });
    expect(r).toEqual({ moved: [pick.deliveryTag], vanished: [] });
    const moved = (await byStep(ns, "conversation"))["6"]!;
    expect(moved.map((m) => parse(m).headers.id)).toEqual([pick.id]);
    const left = (await byStep(ns, "workflow"))["6"]!.map((m) => parse(m).headers.id);
    expect(left).toEqual(
      messages
        .slice(2)
        .filter((m) => m !== pick)
        .map((m) => m.id),
    );

    const q = messages[9]!;
    const qr = await quarantinePicked(ns.redis, ns, {
      queue: "workflow",
      retentionSeconds: 3600,
      messages: [{ deliveryTag: q.deliveryTag!, step: q.step, offset: q.offset }],
    });
    expect(qr.moved).toEqual([q.deliveryTag]);
    const [rec] = await listQuarantines(ns.redis, ns);
    expect(rec).toMatchObject({ quarantine: qr.quarantine, queue: "workflow", count: 1, depth: 1, state: "complete" });
    expect((await byStep(ns, "workflow"))["6"]!.map((m) => parse(m).headers.id)).not.toContain(q.id);

    // A worker runs the moved one from its new queue.
    const worker = startCeleryWorker({
      queues: ["conversation"],
      hostname: `browse-move-${process.pid}`,
      concurrency: 1,
      env: ns.env(),
    });
    await worker.waitReady();
    const marker = firstArg(parse(moved[0]!));
    await waitFor(async () => (await markersWith(ns!.markerPrefix)).includes(marker) || undefined, {
      what: "the moved task to run",
      timeoutMs: 60_000,
    });
  });

  it("reports a message that left the queue between listing and acting, and moves nothing in its place", async () => {
    ns = await namespace();
    await produce({ queue: "retention", task: "tasks.send_mail", count: 5, priority: 0, env: ns.env() });
    const { messages } = await readMessagePage(ns.redis, ns, "retention", query(), { showArgs: false });
    const before = all(await byStep(ns, "retention"));
    await ns.redis.rpop(`${ns.prefix}retention`); // a worker took the first one
    const gone = messages[0]!;
    const r = await movePicked(ns.redis, ns, {
      from: "retention",
      to: "mail",
      messages: [{ deliveryTag: gone.deliveryTag!, step: gone.step, offset: gone.offset }],
    });
    expect(r).toEqual({ moved: [], vanished: [gone.deliveryTag] });
    expect(all(await byStep(ns, "mail"))).toEqual([]);
    expect(all(await byStep(ns, "retention"))).toEqual(before.slice(1));
  });
});
