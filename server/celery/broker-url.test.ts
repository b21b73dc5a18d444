import { describe, expect, it } from "vitest";
import { describeBroker, parseBrokerUrl, redactBrokerUrl, redactUrlsInText } from "./broker-url";

describe("parseBrokerUrl", () => {
  it("reads Dify's default CELERY_BROKER_URL (empty user, password, db 1)", () => {
    expect(parseBrokerUrl("redis://:difyai123456@redis:6379/1")).toEqual({
      kind: "redis",
      tls: false,
      host: "redis",
      port: 6379,
      db: 1,
      username: null,
      password: "difyai123456",
      tlsParams: {},
    });
  });

  it("defaults port 6379 and db 0 like kombu, and reads rediss:// as TLS", () => {
    expect(parseBrokerUrl("redis://localhost")).toMatchObject({ host: "localhost", port: 6379, db: 0, tls: false });
    expect(parseBrokerUrl("rediss://user:p%40ss@cache.example:6380/2?ssl_cert_reqs=CERT_NONE")).toEqual({
      kind: "redis",
      tls: true,
      host: "cache.example",
      port: 6380,
      db: 2,
      username: "user",
      password: "p@ss",
      tlsParams: { certReqs: "none" },
    });
  });

  it("reads Celery's ssl_* query parameters, and any of them means TLS as in kombu's parse_url", () => {
    const q = "ssl_cert_reqs=required&ssl_ca_certs=%2Fetc%2Fca.pem&ssl_certfile=%2Fc.pem&ssl_keyfile=%2Fk.pem";
    expect(parseBrokerUrl(`redis://h:6379/0?${q}`)).toMatchObject({
      tls: true,
      tlsParams: { certReqs: "required", caCerts: "/etc/ca.pem", certfile: "/c.pem", keyfile: "/k.pem" },
    });
    expect(parseBrokerUrl("rediss://h/0?ssl_cert_reqs=CERT_OPTIONAL")).toMatchObject({
      tlsParams: { certReqs: "optional" },
    });
    expect(() => parseBrokerUrl("rediss://h/0?ssl_cert_reqs=maybe")).toThrow(/ssl_cert_reqs/);
  });

  it("reads IPv6 hosts", () => {
    expect(parseBrokerUrl("redis://[::1]:6391/3")).toMatchObject({ host: "::1", port: 6391, db: 3 });
  });

  it("reads Celery's sentinel list with a password and the master name from config or query", () => {
    const url = "sentinel://:pw@h1:26379/1;sentinel://:pw@h2:26380/1";
    expect(parseBrokerUrl(url, "mymaster")).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "h1", port: 26379 },
        { host: "h2", port: 26380 },
      ],
      db: 1,
      username: null,
      password: "pw",
      masterName: "mymaster",
    });
    expect(parseBrokerUrl("sentinel://s1/0;sentinel://s2?master_name=dify-master")).toMatchObject({
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26379 },
      ],
      masterName: "dify-master",
    });
    expect(parseBrokerUrl("sentinel://s1:26379/1?master_name=fromurl", "fromconfig")).toMatchObject({
      masterName: "fromconfig",
    });
  });

  it("rejects other schemes, non-numeric dbs and mixed sentinel lists", () => {
    expect(() => parseBrokerUrl("amqp://guest:guest@rabbit:5672//")).toThrow(/redis:\/\/, rediss:\/\/ or sentinel/);
    expect(() => parseBrokerUrl("redis://host:6379/abc")).toThrow(/not a number/);
    expect(() => parseBrokerUrl("sentinel://a:26379;redis://:secret@b:6379")).toThrow(/must also be sentinel/);
  });

  it("never puts the password into an error message", () => {
    try {
      parseBrokerUrl("redis://:topsecret@host:6379/notadb");
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain("topsecret");
    }
  });
});

describe("redactBrokerUrl", () => {
  it("hides passwords in every form, keeping the rest readable", () => {
    expect(redactBrokerUrl("redis://:difyai123456@redis:6379/1")).toBe("redis://:***@redis:6379/1");
    expect(redactBrokerUrl("rediss://user:pw@h:6380/0?ssl_cert_reqs=none")).toBe(
      "rediss://user:***@h:6380/0?ssl_cert_reqs=none",
    );
    expect(redactBrokerUrl("sentinel://:a@h1:26379/1;sentinel://:b@h2:26379/1")).toBe(
      "sentinel://:***@h1:26379/1;sentinel://:***@h2:26379/1",
    );
    expect(redactBrokerUrl("redis://:p@ss@word@host:6379/1")).toBe("redis://:***@host:6379/1");
    expect(redactBrokerUrl("redis://host:6379/1")).toBe("redis://host:6379/1");
  });
});

describe("describeBroker", () => {
  it("names the endpoint without credentials", () => {
    expect(describeBroker(parseBrokerUrl("redis://:x@redis:6379/1"))).toBe("redis://redis:6379/1");
    expect(describeBroker(parseBrokerUrl("sentinel://:x@a:1/2;sentinel://b:2/2", "m"))).toBe("sentinel(m)@a:1,b:2/2");
  });
});

describe("redaction of hostile passwords (issue 15: settings page, logs, errors)", () => {
  const PASSWORDS = ["p@ss@word", "pa:ss:word", "pa/ss", "pa;ss", "pa%40ss", "a@b:c/d;e%40f", "x:;/y"];
  it.each(PASSWORDS)("hides %s in redis://, rediss:// and sentinel:// lists", (pw) => {
    for (const url of [
      `redis://:${pw}@host:6379/1`,
      `redis://user:${pw}@host:6379/1`,
      `rediss://:${pw}@host:6380/0?ssl_cert_reqs=required`,
      `sentinel://:${pw}@s1:26379/1;sentinel://:${pw}@s2:26379/1`,
    ]) {
      const shown = redactBrokerUrl(url);
      expect(shown).not.toContain(pw);
      expect(shown).toMatch(/:\*\*\*@/);
    }
  });

  it("keeps hosts of every sentinel and the user name", () => {
    expect(redactBrokerUrl("sentinel://:a@s1:26379/1;sentinel://:b@s2:26380/1")).toBe(
      "sentinel://:***@s1:26379/1;sentinel://:***@s2:26380/1",
    );
    expect(redactBrokerUrl("redis://dify:x;y@redis:6379/1")).toBe("redis://dify:***@redis:6379/1");
  });

  it("redacts every URL inside free text", () => {
    const text = 'connect redis://:p@ss;w/rd@10.1.2.3:6379/1 then "rediss://u:q:r@h:6380/0" failed';
    const shown = redactUrlsInText(text);
    expect(shown).toBe('connect redis://:***@10.1.2.3:6379/1 then "rediss://u:***@h:6380/0" failed');
  });
});
