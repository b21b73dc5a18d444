// deploy/docker-socket-proxy/haproxy.cfg is the allow-list in front of the Docker socket: it must let through
// every call in allow-list.ts (with and without a version prefix) and nothing the console never sends.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ALLOWED_KILL_SIGNALS, DOCKER_ALLOW_LIST } from "./allow-list";

interface Rule {
  method: string;
  path: RegExp;
  line: string;
}

const cfg = readFileSync(path.join(__dirname, "../../deploy/docker-socket-proxy/haproxy.cfg"), "utf8");
const rules: Rule[] = cfg
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l.startsWith("http-request allow"))
  .map((line) => {
    const m = /^http-request allow if (get|post) \{ path_reg (\S+) \}/.exec(line);
    if (!m) throw new Error(`unexpected allow rule: ${line}`);
    return { method: m[1]!.toUpperCase(), path: new RegExp(m[2]!), line };
  });
const matching = (method: string, p: string) => rules.filter((r) => r.method === method && r.path.test(p));

describe("the haproxy socket proxy's allow-list", () => {
  it("has one rule per allowed call, matching it with and without an API version", () => {
    expect(rules).toHaveLength(DOCKER_ALLOW_LIST.length);
    for (const c of DOCKER_ALLOW_LIST) {
      const p = c.path.replace("{id}", "3f2a9c1b7d4e");
      expect(matching(c.method, p), `${c.method} ${p}`).toHaveLength(1);
      expect(matching(c.method, `/v1.41${p}`), `${c.method} /v1.41${p}`).toHaveLength(1);
      expect(matching(c.method, p.replace("3f2a9c1b7d4e", "dify-worker-1")), "container names work too").toHaveLength(
        1,
      );
    }
  });

  it("lets nothing else through", () => {
    const refused: [string, string][] = [
      ["POST", "/v1.41/containers/abc/exec"],
      ["POST", "/exec/abc/start"],
      ["POST", "/containers/create"],
      ["DELETE", "/containers/abc"],
      ["GET", "/images/json"],
      ["POST", "/images/create"],
      ["GET", "/volumes"],
      ["GET", "/networks"],
      ["POST", "/containers/abc/attach"],
      ["GET", "/containers/abc/archive"],
      ["PUT", "/containers/abc/archive"],
      ["POST", "/build"],
      ["GET", "/containers/abc/export"],
      ["POST", "/containers/prune"],
      ["GET", "/containers/abc/json/../../images/json"],
      ["POST", "/v1.41/_ping"],
    ];
    for (const [method, p] of refused) expect(matching(method, p), `${method} ${p}`).toEqual([]);
  });

  it("requires the query that makes a call harmless: a kill's signal from the list, one-shot stats, logs that end", () => {
    const rule = (method: string, p: string) => matching(method, p)[0]!.line;
    expect(rule("POST", "/containers/abc/kill")).toContain(
      `{ urlp(signal) -m reg ^(${ALLOWED_KILL_SIGNALS.join("|")})$ }`,
    );
    expect(rule("GET", "/containers/abc/stats")).toContain("{ urlp(stream) false } { urlp(one-shot) true }");
    expect(rule("GET", "/containers/abc/logs")).toContain("{ urlp(follow) false }");
  });
});
