import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hasUnsafeInteger, markRedelivered, type Envelope } from "./orphans";

const raw = readFileSync(new URL("./__fixtures__/celery52-envelope-priority6.json", import.meta.url), "utf8");

describe("markRedelivered", () => {
  it("sets both flags kombu's _do_restore_message sets, and nothing else", () => {
    const env = JSON.parse(raw) as Envelope & Record<string, unknown>;
    const before = JSON.parse(raw) as Record<string, unknown>;
    markRedelivered(env);
    expect(env.headers?.redelivered).toBe(true);
    expect(env.properties?.delivery_info?.redelivered).toBe(true);
    delete env.headers!.redelivered;
    delete env.properties!.delivery_info!.redelivered;
    expect(env).toEqual(before);
  });

  it("follows kombu's KeyError handling: no headers, nothing marked", () => {
    const env: Envelope = { properties: { delivery_info: {} } };
    markRedelivered(env);
    expect(env.properties?.delivery_info).toEqual({});
  });
});

describe("hasUnsafeInteger", () => {
  it("spots integers JSON.parse would round, ignoring digits inside strings", () => {
    expect(hasUnsafeInteger(raw)).toBe(false);
    expect(hasUnsafeInteger('{"a":"12345678901234567890"}')).toBe(false);
    expect(hasUnsafeInteger('{"a":12345678901234567890}')).toBe(true);
  });
});
