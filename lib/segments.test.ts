import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerHref, decodeSegment, encodeSegment, queueHref } from "./segments";

describe("route segments", () => {
  it("round-trips any string, including slashes, percent signs and unicode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // Lone surrogates cannot be percent-encoded by any browser; everything else must survive.
        fc.pre(encodable(s));
        expect(decodeSegment(encodeSegment(s))).toBe(s);
      }),
    );
  });

  it("keeps a queue name with a slash inside one segment", () => {
    expect(queueHref("main redis", "celery/priority")).toBe("/queues/main%20redis/celery%2Fpriority");
    expect(containerHref("local", "abc123")).toBe("/containers/local/abc123");
  });

  it("matches the form Next.js gives to params (decode of a re-encoded '+' and '%')", () => {
    expect(decodeSegment("a%2Bb")).toBe("a+b");
    expect(decodeSegment("a%25b")).toBe("a%b");
  });

  it("keeps a malformed escape literally", () => {
    expect(decodeSegment("100%")).toBe("100%");
  });
});

function encodable(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}
