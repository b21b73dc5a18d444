// The message browser's API and its per-message actions through the real route handlers, against messages a real
// Celery 5.2 producer published: who may see what, the error shape, audit of a move, and a message that vanished
// between listing and acting refused with a clear reason while the queue stays as it was.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushTestRedis, produce, stopAllProcesses, testRedisUrl } from "@/server/testing/harness";
import type { MessagePageResponse } from "@/server/schemas/messages";
import {
  callJson,
  errorCode,
  postAction,
  previewAction,
  startConsole,
  type TestConsole,
} from "@/server/testing/action-console";

const BROKER_DB = 9;
const celery = { BROKER_URL: testRedisUrl(BROKER_DB) };
let lw: TestConsole;
let redis: Redis;

beforeAll(async () => {
  await flushTestRedis([BROKER_DB]);
  lw = await startConsole({ LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}` });
  redis = new Redis(testRedisUrl(BROKER_DB));
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  redis?.disconnect();
  await lw?.close();
  await flushTestRedis([BROKER_DB]);
});

async function browse(queue: string, query: string, as = lw.users.viewer) {
  const { GET } = await import("@/app/api/queues/[broker]/[queue]/messages/route");
  return callJson<MessagePageResponse & { error?: { code: string; message: string } }>(
    GET,
    `/api/queues/default/${queue}/messages`,
    { as, params: { broker: "default", queue }, query },
  );
}

describe("GET /api/queues/{broker}/{queue}/messages", () => {
  it("lists by task name with arguments hidden (and says why), and refuses a bad query with the API's error shape", async () => {
    await produce({ queue: "mail", task: "tasks.send_mail", count: 5, priority: 6, env: celery });
    await produce({ queue: "mail", task: "tasks.index_document", count: 3, env: celery });
    const r = await browse("mail", "task=send_mail&text=secret");
    expect(r.status).toBe(200);
    expect(r.body.messages.map((m) => m.task)).toEqual(Array(5).fill("tasks.send_mail"));
    // Step 0 comes first in delivery order, so the send_mail messages (step 6) sit behind the three others.
    expect(r.body.messages.map((m) => m.position)).toEqual([3, 4, 5, 6, 7]);
    expect(r.body.args).toEqual({ shown: false, reason: expect.stringMatching(/showTaskArguments is off/) });
    expect(r.body.textFilterIgnored).toBe(true);
    expect(JSON.stringify(r.body)).not.toMatch(/argsrepr": "\(/); // no argument text anywhere in the answer
    const admin = await browse("mail", "limit=1", lw.users.admin);
    expect(admin.body.args.shown).toBe(false);

    const bad = await browse("mail", "limit=0");
    expect({ status: bad.status, code: errorCode(bad) }).toEqual({ status: 400, code: "validation" });
    const cursor = await browse("mail", "cursor=bm90LWEtY3Vyc29y");
    expect({ status: cursor.status, code: errorCode(cursor) }).toEqual({ status: 400, code: "validation" });
  });
});

describe("queue.move-messages and queue.quarantine-messages", () => {
  it("moves one message by tag with an audit trail, quarantines another, and refuses one that vanished", async () => {
    await produce({ queue: "dataset", task: "tasks.send_mail", count: 6, priority: 3, env: celery });
    const { messages } = (await browse("dataset", "")).body;
    expect(messages).toHaveLength(6);
    const pick = (i: number) => ({
      deliveryTag: messages[i]!.deliveryTag,
      step: messages[i]!.step,
      offset: messages[i]!.offset,
    });
    const target = { broker: "default", queue: "dataset" };

    const denied = await postAction(lw.users.viewer, {
      action: "queue.move-messages",
      target,
      params: { to: "mail", messages: [pick(2)] },
      reason: "t",
    });
    expect(denied.status).toBe(403);

    const preview = await previewAction(lw.users.operator, {
      action: "queue.move-messages",
      target,
      params: { to: "conversation", messages: [pick(2)] },
    });
    expect(preview.body.summary).toBe(
      `Move message tasks.send_mail ${messages[2]!.id} from dataset to conversation, keeping its priority.`,
    );

    const moved = await postAction(lw.users.operator, {
      action: "queue.move-messages",
      target,
      params: { to: "conversation", messages: [pick(2)] },
      reason: "INC-13 one poison message",
    });
    expect(moved.body).toMatchObject({ status: "succeeded", result: "1 moved to conversation", verify: { ok: true } });
    expect((await browse("conversation", "")).body.messages.map((m) => m.id)).toEqual([messages[2]!.id]);
    const audit = (await lw.auditEntries()).filter(
      (e) => e.action === "queue.move-messages" && e.actor === lw.users.operator.username,
    );
    expect(audit.map((e) => e.kind)).toEqual(["intent", "outcome"]);

    const q = await postAction(lw.users.operator, {
      action: "queue.quarantine-messages",
      target,
      params: { messages: [pick(4)] },
      reason: "INC-13 keep for later",
    });
    expect(q.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(q.body.result).toMatch(/^1 moved to leakwatch\.quarantine\.dataset\./);

    // A worker takes the next message between the operator's listing and the click.
    const key = "dataset\x06\x163";
    await redis.rpop(key);
    const before = await redis.lrange(key, 0, -1);
    const gone = await postAction(lw.users.operator, {
      action: "queue.move-messages",
      target,
      params: { to: "mail", messages: [pick(0)] },
      reason: "INC-13",
    });
    expect({ status: gone.status, code: errorCode(gone) }).toEqual({ status: 409, code: "conflict" });
    expect(JSON.stringify(gone.body)).toMatch(/None of the picked messages is in the queue any more/);
    expect(await redis.lrange(key, 0, -1)).toEqual(before);
    expect((await browse("dataset", "")).body.messages.map((m) => m.id)).toEqual(
      [messages[1], messages[3], messages[5]].map((m) => m!.id),
    );
  });
});
