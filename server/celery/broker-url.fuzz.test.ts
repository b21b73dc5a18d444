// Property tests for broker URL parsing and redaction: any text either parses or is refused with a
// ValidationError (never another throw, never the password in the message), redaction never throws and never
// shows a password, and Celery-style URLs built from arbitrary credentials, hosts, ports and dbs read back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/server/errors";
import { parseBrokerUrl, redactBrokerUrl } from "./broker-url";

// Distinctive passwords (so "not in the output" cannot be confused with a port or a host), with characters
// that must be percent-encoded in a URL.
const password = fc
  .string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(..."abcXYZ019!$&'()*+,;=:@/?#[]% ") })
  .map((s) => `Pw${s}`);
const user = fc.option(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/), { nil: "" });
const host = fc.oneof(
  fc.constantFrom("127.0.0.1", "redis", "redis.internal.example", "[::1]"),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
const port = fc.integer({ min: 1, max: 65535 });
const db = fc.integer({ min: 0, max: 15 });

describe("broker URLs (fuzz)", () => {
  it("any text parses or is refused with a ValidationError that does not show the password", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.constantFrom(
            "redis://",
            "sentinel://",
            "sentinel://;",
            "redis://:@",
            "redis://h:99999/1",
            "redis://h/-1",
            "rediss://[::1",
            "sentinel://a:1/x;redis://b",
          ),
        ),
        fc.option(fc.string(), { nil: undefined }),
        (url, master) => {
          try {
            const p = parseBrokerUrl(url, master);
            expect(["redis", "sentinel"]).toContain(p.kind);
            expect(Number.isInteger(p.db) && p.db >= 0).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError);
          }
          expect(typeof redactBrokerUrl(url)).toBe("string");
        },
      ),
      { numRuns: 2000 },
    );
  }, 60_000);

  it("reads back redis:// URLs with any credentials, and redaction hides the password", () => {
    fc.assert(
      fc.property(fc.boolean(), user, password, host, port, db, (tls, u, pw, h, p, d) => {
        const url = `${tls ? "rediss" : "redis"}://${encodeURIComponent(u)}:${encodeURIComponent(pw)}@${h}:${p}/${d}`;
        const parsed = parseBrokerUrl(url);
        expect(parsed).toMatchObject({
          kind: "redis",
          tls,
          host: h.replace(/^\[(.*)\]$/, "$1"),
          port: p,
          db: d,
          password: pw,
          username: u === "" ? null : u,
        });
        const shown = redactBrokerUrl(url);
        expect(shown).not.toContain(encodeURIComponent(pw));
        expect(shown).not.toContain(pw);
        expect(shown).toContain(`${h}:${p}/${d}`);
        try {
          parseBrokerUrl(`${url}x`);
        } catch (e) {
          expect((e as Error).message).not.toContain(encodeURIComponent(pw));
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("reads back Celery's sentinel list (credentials and db from the first URL) and hides every password", () => {
    fc.assert(
      fc.property(
        password,
        fc.array(fc.tuple(host, port), { minLength: 1, maxLength: 4 }),
        db,
        fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/),
        (pw, sentinels, d, master) => {
          const url = sentinels.map(([h, p]) => `sentinel://:${encodeURIComponent(pw)}@${h}:${p}/${d}`).join(";");
          const parsed = parseBrokerUrl(`${url}`, master);
          expect(parsed).toMatchObject({ kind: "sentinel", db: d, password: pw, masterName: master });
          expect(parsed.kind === "sentinel" && parsed.sentinels).toEqual(
            sentinels.map(([h, p]) => ({ host: h.replace(/^\[(.*)\]$/, "$1"), port: p })),
          );
          const shown = redactBrokerUrl(url);
          expect(shown).not.toContain(encodeURIComponent(pw));
          expect(shown.split(";")).toHaveLength(sentinels.length);
        },
      ),
      { numRuns: 500 },
    );
  }, 60_000);
});

describe("redaction of pasted, unencoded passwords (fuzz)", () => {
  it("hides a raw password whatever it holds, even characters that end a URL's authority", () => {
    // ";" only outside sentinel lists, where kombu itself splits on it.
    const raw = (semicolon: boolean) =>
      fc
        .string({
          minLength: 4,
          maxLength: 24,
          unit: fc.constantFrom(..."abcXYZ019!$&'()*+,=:@/?#[]% ", ...(semicolon ? [";"] : [])),
        })
        .map((s) => `Pw${s}`);
    const schemeAndPassword = fc
      .constantFrom("redis", "rediss", "sentinel")
      .chain((scheme) => fc.tuple(fc.constant(scheme), raw(scheme !== "sentinel")));
    fc.assert(
      fc.property(schemeAndPassword, user, host, port, db, ([scheme, pw], u, h, p, d) => {
        const url = `${scheme}://${u}:${pw}@${h}:${p}/${d}`;
        expect(redactBrokerUrl(url)).not.toContain(pw);
        expect(redactBrokerUrl(url)).toContain(`@${h}:${p}/${d}`);
        try {
          parseBrokerUrl(url);
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          expect((e as Error).message).not.toContain(pw);
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
