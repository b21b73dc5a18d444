import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEnvelope, parseUnackedEntry } from "./envelope";
import { reissueEnvelope, seenFields } from "./reissue";

// Re-issuing a message the console saw, on messages captured from real Celery 5.2 producers and workers
// (__fixtures__/capture.py): a new id in every place Celery protocol 2 carries it, the rest as kombu wrote it.
const fixture = (name: string): string =>
  (JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8")) as { raw: string }).raw;

const NEW_ID = "0b1f5f3e-2a4c-4b7e-9a51-6d3c2e8f9a10";
const NEW_TAG = "5e0c9a77-1f2b-4c3d-8e4f-a1b2c3d4e5f6";
const opts = { id: NEW_ID, deliveryTag: NEW_TAG, origin: "leakwatch@test" };

type Env = { body: string; headers: Record<string, unknown>; properties: Record<string, unknown> } & Record<
  string,
  unknown
>;

describe("reissueEnvelope", () => {
  it("gives a Celery 5.2 message a new id, keeps its body byte for byte, and links it to the failed task", () => {
    const raw = fixture("message-basic");
    const before = JSON.parse(raw) as Env;
    const out = reissueEnvelope(raw, opts);
    const after = JSON.parse(out.raw) as Env;
    expect(out.was).toBe(before.headers.id);
    expect(out.id).toBe(NEW_ID);
    expect(out.deliveryTag).toBe(NEW_TAG);

    expect(after.body).toBe(before.body);
    expect(after["content-type"]).toBe(before["content-type"]);
    expect(after.headers.id).toBe(NEW_ID);
    expect(after.properties.correlation_id).toBe(NEW_ID);
    expect(after.properties.delivery_tag).toBe(NEW_TAG);
    // A task published from inside the failed one: the same root, the failed task as parent.
    expect(after.headers.root_id).toBe(before.headers.id);
    expect(after.headers.parent_id).toBe(before.headers.id);
    expect(after.headers.origin).toBe("leakwatch@test");
    // Everything else as the producer wrote it, in the same order.
    const rest = (h: Record<string, unknown>) =>
      Object.entries(h).filter(([k]) => !["id", "root_id", "parent_id", "origin"].includes(k));
    expect(rest(after.headers)).toEqual(rest(before.headers));
    expect(Object.keys(after.headers)).toEqual(Object.keys(before.headers));
    expect(after.properties.delivery_info).toEqual(before.properties.delivery_info);
    expect(after.properties.reply_to).toBe(before.properties.reply_to);

    // What the console's own parser (and so a worker) reads back: the same task and arguments under the new id.
    const m = parseEnvelope(out.raw, { withBody: true });
    const o = parseEnvelope(raw, { withBody: true });
    expect(m.ok && o.ok).toBe(true);
    if (!m.ok || !o.ok) return;
    expect(m.value.id).toBe(NEW_ID);
    expect(m.value.task).toBe(o.value.task);
    expect(m.value.args).toEqual(o.value.args);
    expect(m.value.kwargs).toEqual(o.value.kwargs);
    expect(m.value.rootId).toBe(o.value.id);
    expect(m.value.parentId).toBe(o.value.id);
  });

  it("keeps the priority and non-ASCII arguments, and keeps a workflow's root", () => {
    const raw = fixture("message-priority6-unicode");
    const out = JSON.parse(reissueEnvelope(raw, opts).raw) as Env;
    expect(out.properties.priority).toBe(6);
    expect(out.body).toBe((JSON.parse(raw) as Env).body);
    expect(seenFields(raw)).toMatchObject({ priority: 6, task: "tasks.mail.send_invite_member_mail_task" });

    // A message whose root is another task (a chain's later link) keeps that root.
    const child = JSON.parse(fixture("message-chain")) as Env;
    child.headers.root_id = "11111111-2222-3333-4444-555555555555";
    child.headers.parent_id = "66666666-7777-8888-9999-000000000000";
    const re = JSON.parse(reissueEnvelope(JSON.stringify(child), opts).raw) as Env;
    expect(re.headers.root_id).toBe("11111111-2222-3333-4444-555555555555");
    expect(re.headers.parent_id).toBe(child.headers.id);
    expect(re.body).toBe(child.body);
  });

  it("drops eta, expires and kombu's redelivered marks: a new delivery that runs now", () => {
    const raw = fixture("message-eta-expires-retries");
    const before = JSON.parse(raw) as Env;
    expect(before.headers.eta).toBeTruthy();
    expect(before.properties.expiration).toBeTruthy();
    const after = JSON.parse(reissueEnvelope(raw, opts).raw) as Env;
    expect(after.headers.eta).toBeNull();
    expect(after.headers.expires).toBeNull();
    expect(after.properties.expiration).toBeUndefined();
    expect(after.headers.retries).toBe(3);

    // A message a worker held, as kombu's restore would have marked it.
    const entry = JSON.parse(fixture("unacked-running")) as [Env, string, string];
    const held = entry[0];
    held.headers.redelivered = true;
    (held.properties.delivery_info as Record<string, unknown>).redelivered = true;
    const reissued = reissueEnvelope(JSON.stringify(held), opts).raw;
    const parsed = parseEnvelope(reissued);
    expect(parsed.ok && parsed.value.redelivered).toBe(false);
    expect(parsed.ok && parsed.value.priority).toBe(6);
    // The held entry parses as the console reads it from the hash.
    expect(parseUnackedEntry(fixture("unacked-running")).ok).toBe(true);
  });

  it("refuses what it cannot re-issue: protocol 1 (the id sits in the body) and non-task messages", () => {
    expect(seenFields(fixture("message-protocol1"))).toBeNull();
    expect(() => reissueEnvelope(fixture("message-protocol1"), opts)).toThrow(/protocol 2/);
    expect(() => reissueEnvelope("[1, 2]", opts)).toThrow(/protocol 2/);
  });
});
