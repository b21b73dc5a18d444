import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalize, CanonicalJsonError, isCanonical } from "./canonical-json";

describe("canonicalize", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    const v = { b: 1, a: { d: [3, { z: true, y: null }], c: "x" } };
    expect(canonicalize(v)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it("gives the same bytes whatever the insertion order", () => {
    expect(canonicalize({ x: 1, y: 2 })).toBe(canonicalize({ y: 2, x: 1 }));
  });

  it("writes unicode as JSON.stringify does and sorts keys by UTF-16 code units", () => {
    const v = { é: "naïve ☃ 😀", e: "\u2028", Z: '\u0000\n"\\', "😀": 1, "\uff61": 2 };
    const s = canonicalize(v);
    // Code-unit order: "Z" 0x5A < "e" 0x65 < "é" 0xE9 < "😀" (0xD83D, a surrogate) < "｡" 0xFF61.
    expect(s).toBe('{"Z":"\\u0000\\n\\"\\\\","e":"\u2028","é":"naïve ☃ 😀","😀":1,"｡":2}');
    expect(JSON.parse(s)).toEqual(v);
  });

  it("escapes lone surrogates so the output is valid UTF-8", () => {
    expect(canonicalize({ s: "\ud800" })).toBe('{"s":"\\ud800"}');
  });

  it("writes numbers as JSON.stringify does", () => {
    expect(canonicalize([1, -0, 0.1, 1e21, 1e-7, 123456789012345680000, 2 ** 53])).toBe(
      "[1,0,0.1,1e+21,1e-7,123456789012345680000,9007199254740992]",
    );
  });

  it("omits undefined properties like JSON.stringify and refuses what would not round-trip", () => {
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalize([undefined])).toThrow(CanonicalJsonError);
    expect(() => canonicalize({ n: NaN })).toThrow(/non-finite/);
    expect(() => canonicalize({ n: Infinity })).toThrow(CanonicalJsonError);
    expect(() => canonicalize({ n: 1n })).toThrow(/bigint/);
  });

  it("uses toJSON (dates become ISO strings)", () => {
    expect(canonicalize({ t: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) })).toBe('{"t":"2024-01-02T03:04:05.000Z"}');
  });

  it("round-trips any JSON value and is a fixed point", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = canonicalize(v);
        expect(canonicalize(JSON.parse(s))).toBe(s);
        expect(isCanonical(s)).toBe(true);
      }),
    );
  });

  it("isCanonical rejects spacing and key order changes", () => {
    expect(isCanonical('{"a":1,"b":2}')).toBe(true);
    expect(isCanonical('{"b":2,"a":1}')).toBe(false);
    expect(isCanonical('{"a": 1,"b":2}')).toBe(false);
    expect(isCanonical("not json")).toBe(false);
  });
});
