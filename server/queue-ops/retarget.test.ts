import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { retarget, taskOf, valueSpan } from "./retarget";

// Captured from the test broker: fixtures/celery/produce.py --queue dataset --priority 6 (Celery 5.2, kombu 5.2).
const captured = readFileSync(
  new URL("./__fixtures__/celery52-envelope-priority6.json", import.meta.url),
  "utf8",
).trim();

describe("retarget (kombu's Channel._lookup routes a redelivery by delivery_info)", () => {
  it("points delivery_info at the anonymous exchange and the new queue, leaving every other byte alone", () => {
    const out = retarget(Buffer.from(captured), Buffer.from("mail"));
    expect(out.changed).toBe(true);
    const text = out.raw.toString("utf8");
    const msg = JSON.parse(text);
    expect(msg.properties.delivery_info).toMatchObject({ exchange: "", routing_key: "mail" });
    const strip = (s: string) => s.replace(/"delivery_info": \{[^{}]*\}/, "*");
    expect(strip(text)).toBe(strip(captured));
    expect(msg.body).toBe(JSON.parse(captured).body);
  });

  it("finds the real delivery_info, not look-alikes in strings or headers, and keeps other fields of it", () => {
    const raw =
      '{"headers": {"x": "\\"delivery_info\\": {}", "delivery_info": {"exchange": "h"}}, "properties": {"a": [1, {"b": "}"}], "delivery_info": {"exchange": "e", "routing_key": "r", "redelivered": true}, "priority": 1.0}}';
    const text = retarget(Buffer.from(raw), Buffer.from("q")).raw.toString("utf8");
    expect(JSON.parse(text).headers).toEqual(JSON.parse(raw).headers);
    expect(JSON.parse(text).properties.delivery_info).toEqual({ exchange: "", routing_key: "q", redelivered: true });
    expect(text).toContain('"priority": 1.0}}'); // a float Python would read back as a float stays as written
  });

  it("leaves messages it cannot rewrite exactly as they were", () => {
    for (const raw of [
      "not json",
      '{"properties": {}}',
      '{"properties": {"delivery_info": null}}',
      '{"properties": {"delivery_info": {"exchange": "e"',
    ])
      expect(retarget(Buffer.from(raw), Buffer.from("q"))).toEqual({ raw: Buffer.from(raw), changed: false });
    // A queue name that is not UTF-8 cannot be written into JSON as kombu would read it back.
    expect(retarget(Buffer.from(captured), Buffer.from([0xff, 0x61])).changed).toBe(false);
  });

  it("locates values by path like Python's json (the last duplicate key wins)", () => {
    const s = '{"p": {"d": 1}, "p": {"d": [2, 3]}}';
    const span = valueSpan(s, ["p", "d"]);
    expect(span && s.slice(...span)).toBe("[2, 3]");
    expect(taskOf(Buffer.from(captured))).toBe("tasks.index_document");
    expect(taskOf(Buffer.from("nope"))).toBeNull();
  });
});
