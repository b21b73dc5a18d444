import { describe, expect, it } from "vitest";
import { redact, REDACTED } from "./redact";

describe("redact", () => {
  it("replaces secret-looking keys at any depth, keeps the rest", () => {
    const input = {
      queue: "dataset",
      password: "hunter2",
      nested: { Authorization: "Bearer abc", list: [{ apiKey: "k", count: 3 }], cookie: "sid=1" },
      csrfToken: "t",
      SECRET_KEY: "s",
    };
    expect(redact(input)).toEqual({
      queue: "dataset",
      password: REDACTED,
      nested: { Authorization: REDACTED, list: [{ apiKey: REDACTED, count: 3 }], cookie: REDACTED },
      csrfToken: REDACTED,
      SECRET_KEY: REDACTED,
    });
    expect(input.password).toBe("hunter2"); // the caller's object is untouched
  });

  it("hides passwords inside URLs", () => {
    expect(redact({ url: "redis://default:s3cret@127.0.0.1:6379/1" })).toEqual({
      url: "redis://default:***@127.0.0.1:6379/1",
    });
    expect(redact("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it("hides a password holding @, :, / or ; wherever a URL appears in text", () => {
    for (const pw of ["p@ss@word", "p:a:ss", "pa/ss", "pa;ss", "pa%40ss", "x@y:z/w;v"]) {
      const shown = JSON.stringify(
        redact({ reason: `moved after redis://:${pw}@10.0.0.1:6379/1 failed`, list: [`rediss://u:${pw}@h:6380/0`] }),
      );
      expect(shown).not.toContain(pw);
      expect(shown).toContain("@10.0.0.1:6379/1 failed");
    }
  });
});
