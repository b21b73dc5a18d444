import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKombuBody, parseEnvelope, parseUnackedEntry } from "./envelope";

// Fixtures were captured from real Celery 5.2 producers/workers by __fixtures__/capture.py.
const fixture = (name: string): string =>
  (JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8")) as { raw: string }).raw;

function ok<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe("parseEnvelope on captured messages", () => {
  it("reads a protocol 2 message without touching the body by default", () => {
    const m = ok(parseEnvelope(fixture("message-basic")));
    expect(m).toMatchObject({
      protocol: 2,
      task: "tasks.document_indexing_task",
      retries: 0,
      etaMs: null,
      expiresMs: null,
      priority: 0,
      exchange: "",
      routingKey: "dataset",
      redelivered: false,
      argsRepr: "('d7f5', ['doc-1', 'doc-2'])",
    });
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.args).toBeUndefined();
  });

  it("decodes args and kwargs only when asked", () => {
    const m = ok(parseEnvelope(fixture("message-basic"), { withBody: true }));
    expect(m.args).toEqual(["d7f5", ["doc-1", "doc-2"]]);
    expect(m.kwargs).toEqual({});
  });

  it("turns countdown/eta/expires into epoch ms and keeps retries", () => {
    const countdown = ok(parseEnvelope(fixture("message-countdown")));
    expect(countdown.etaMs).not.toBeNull();
    const raw = JSON.parse(fixture("message-eta-expires-retries")) as { headers: { eta: string; expires: string } };
    const m = ok(parseEnvelope(fixture("message-eta-expires-retries")));
    expect(m.retries).toBe(3);
    expect(m.etaMs).toBe(Date.parse(raw.headers.eta));
    expect(m.expiresMs).toBe(Date.parse(raw.headers.expires));
    expect((m.expiresMs ?? 0) - (m.etaMs ?? 0)).toBeGreaterThan(3_500_000);
  });

  it("keeps priority and non-ASCII arguments", () => {
    const m = ok(parseEnvelope(Buffer.from(fixture("message-priority6-unicode"), "utf8"), { withBody: true }));
    expect(m.priority).toBe(6);
    expect(m.args).toEqual(["zh-Hans", "名前@example.com", "tok", "Ünïcødé", "ws"]);
  });

  it("reads large bodies and chain messages", () => {
    expect(ok(parseEnvelope(fixture("message-large-args"), { withBody: true })).args?.[0]).toHaveLength(5000);
    expect(ok(parseEnvelope(fixture("message-chain"))).task).toBe("tasks.document_indexing_task");
  });

  it("reads protocol 1 messages from the body", () => {
    const m = ok(parseEnvelope(fixture("message-protocol1")));
    expect(m).toMatchObject({
      protocol: 1,
      task: "tasks.mail.send_invite_member_mail_task",
      retries: 0,
      routingKey: "mail",
    });
    expect(m.etaMs).not.toBeNull();
  });
});

describe("parseUnackedEntry", () => {
  it("reads [message, exchange, routing_key] as kombu's QoS stores it", () => {
    const e = ok(parseUnackedEntry(fixture("unacked-eta")));
    expect(e.exchange).toBe("");
    expect(e.routingKey).toBe("dataset");
    const [raw] = JSON.parse(fixture("unacked-eta")) as [{ headers: { id: string; eta: string; retries: number } }];
    expect(e.message.id).toBe(raw.headers.id);
    expect(e.message.retries).toBe(raw.headers.retries);
    expect(e.message.etaMs).toBe(Date.parse(raw.headers.eta));
    expect(ok(parseUnackedEntry(fixture("unacked-running"))).message.etaMs).toBeNull();
  });

  it("reports wrong shapes as errors", () => {
    expect(parseUnackedEntry('{"a":1}')).toMatchObject({ ok: false, error: { code: "shape" } });
    expect(parseUnackedEntry('[{"body":"x"}, "", "q"]')).toMatchObject({ ok: false, error: { code: "body" } });
    expect(parseUnackedEntry('[{"body":"x"}, 1, "q"]')).toMatchObject({ ok: false, error: { code: "shape" } });
  });
});

describe("malformed input", () => {
  it("classifies truncated, binary and wrongly typed payloads", () => {
    const good = fixture("message-basic");
    expect(parseEnvelope(good.slice(0, good.length / 2))).toMatchObject({ ok: false, error: { code: "json" } });
    expect(parseEnvelope(Buffer.from([0x80, 0x04, 0x95, 0xff, 0x00]))).toMatchObject({
      ok: false,
      error: { code: "binary" },
    });
    const wrong = JSON.parse(good) as { headers: Record<string, unknown> };
    wrong.headers.retries = "three";
    expect(parseEnvelope(JSON.stringify(wrong))).toMatchObject({ ok: false, error: { code: "shape" } });
    const badBody = JSON.parse(good) as { body: string };
    badBody.body = Buffer.from("[1, 2").toString("base64");
    expect(parseEnvelope(JSON.stringify(badBody), { withBody: true })).toMatchObject({
      ok: false,
      error: { code: "body" },
    });
  });

  it("never throws on arbitrary strings, bytes or JSON (fuzz)", () => {
    const good = fixture("message-basic");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.nat({ max: good.length }).map((n) => good.slice(0, n)),
        ),
        (s) => {
          const r = parseEnvelope(s, { withBody: true });
          expect(typeof r.ok).toBe("boolean");
          expect(typeof parseUnackedEntry(s).ok).toBe("boolean");
          expect(typeof decodeKombuBody(s).ok).toBe("boolean");
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(typeof parseEnvelope(Buffer.from(bytes)).ok).toBe("boolean");
      }),
      { numRuns: 300 },
    );
  });

  it("never throws when fields of a real envelope are replaced by random values (fuzz)", () => {
    const good = JSON.parse(fixture("message-eta-expires-retries")) as Record<string, Record<string, unknown>>;
    const paths: [string, string | null][] = [
      ["headers", "eta"],
      ["headers", "id"],
      ["headers", "task"],
      ["properties", "priority"],
      ["properties", "delivery_info"],
      ["body", null],
      ["headers", null],
      ["properties", null],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), ([outer, inner], v) => {
        const copy = structuredClone(good) as Record<string, unknown>;
        if (inner === null) copy[outer] = v;
        else copy[outer] = { ...(copy[outer] as object), [inner]: v };
        const r = parseEnvelope(JSON.stringify(copy), { withBody: true });
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});

describe("decodeKombuBody", () => {
  it("decodes a pidbox request and a worker's reply", () => {
    const req = ok(decodeKombuBody(fixture("pidbox-broadcast")));
    expect(req.body).toMatchObject({
      method: "ping",
      destination: ["capture@fixture"],
      reply_to: { exchange: "reply.celery.pidbox" },
    });
    const reply = ok(decodeKombuBody(fixture("pidbox-reply")));
    expect(reply.body).toEqual({ "capture@fixture": { ok: "pong" } });
    expect(reply.headers.ticket).toBe("fixture-ticket");
  });
});
