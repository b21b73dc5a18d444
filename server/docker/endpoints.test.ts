import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SourceUnavailableError, ValidationError } from "@/server/errors";
import { ALLOWED_KILL_SIGNALS, DOCKER_ALLOW_LIST, matchAllowList } from "./allow-list";
import { DockerClient, dockerFor, dockerodeOptions } from "./endpoints";
import { parseInspect, parseStatsPids } from "./engine-types";
import { parseEventLine } from "./events";

const FIX = path.join(__dirname, "__fixtures__");
const nowhere = { name: "nowhere", url: "unix:///nonexistent/leakwatch-test.sock" };

describe("the Docker allow-list", () => {
  it("the client exposes exactly the allowed operations and nothing of dockerode", () => {
    const client = dockerFor(nowhere);
    const methods = Object.getOwnPropertyNames(DockerClient.prototype).filter((n) => n !== "constructor");
    expect(methods.sort()).toEqual(DOCKER_ALLOW_LIST.map((c) => c.op).sort());
    expect(Object.keys(client)).toEqual([]);
    expect(dockerFor(nowhere)).toBe(client); // cached per host
  });

  it("the README's allow-list table lists every operation with its method", () => {
    const readme = readFileSync(path.join(__dirname, "README.md"), "utf8");
    for (const c of DOCKER_ALLOW_LIST)
      expect(readme).toMatch(new RegExp(`\\| ${c.op} \\| \`${c.method} ${c.path.replace(/[{}?]/g, "\\$&")}`));
    const rows = readme.split("\n").filter((l) => /^\| \w+ \| `(GET|POST)/.test(l));
    expect(rows).toHaveLength(DOCKER_ALLOW_LIST.length);
  });

  it("matches the requests dockerode sends for allowed calls and refuses the rest", () => {
    expect(matchAllowList("GET", "/v1.41/containers/ab12/stats?stream=false&one-shot=true")?.op).toBe("containerStats");
    expect(matchAllowList("GET", "/containers/ab12/stats?stream=false")).toBeNull(); // waits a second per container
    expect(matchAllowList("GET", "/containers/ab12/stats")).toBeNull(); // streaming
    expect(matchAllowList("GET", "/containers/json?all=true")?.op).toBe("listContainers");
    expect(matchAllowList("GET", "/containers/ab12/top?ps_args=-eLo%20pid%2Ctid%2Cstat%2Cwchan%3A32%2Ccomm")?.op).toBe(
      "containerTop",
    );
    expect(matchAllowList("GET", "/containers/ab12/top?ps_args=aux")).toBeNull();
    expect(matchAllowList("POST", "/containers/ab12/kill?signal=SIGQUIT")?.op).toBe("killContainer");
    expect(matchAllowList("POST", "/containers/ab12/kill?signal=SIGKILL")).toBeNull();
    expect(matchAllowList("POST", "/containers/ab12/exec")).toBeNull();
    expect(matchAllowList("POST", "/containers/create")).toBeNull();
    expect(matchAllowList("DELETE", "/containers/ab12")).toBeNull();
    expect(matchAllowList("GET", "/images/json")).toBeNull();
  });

  it("refuses disallowed signals and updates before touching the socket", async () => {
    const client = dockerFor(nowhere);
    await expect(client.killContainer("x", "SIGKILL" as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.updateContainer("x", { PidsLimit: 10, Memory: 1 } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(client.restartContainer("x", -1)).rejects.toBeInstanceOf(ValidationError);
    expect(ALLOWED_KILL_SIGNALS).not.toContain("SIGKILL");
  });

  it("maps an unreachable engine to SourceUnavailableError naming docker:<host>", async () => {
    const err = await dockerFor(nowhere)
      .ping()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect((err as SourceUnavailableError).source).toBe("docker:nowhere");
  });

  it("builds connection options from the configured URL only", () => {
    expect(dockerodeOptions({ name: "a", url: "unix:///var/run/docker.sock" })).toMatchObject({
      socketPath: "/var/run/docker.sock",
      host: undefined,
    });
    expect(dockerodeOptions({ name: "b", url: "tcp://10.0.0.5:2375" })).toMatchObject({
      protocol: "http",
      host: "10.0.0.5",
      port: "2375",
    });
    expect(dockerodeOptions({ name: "c", url: "ssh://ops@build-1:2222" })).toMatchObject({
      protocol: "ssh",
      host: "build-1",
      port: "2222",
      username: "ops",
    });
  });
});

describe("Engine payload parsers (real captures)", () => {
  it("inspect gives the main PID and Docker's PidsLimit", () => {
    const i = parseInspect(JSON.parse(readFileSync(path.join(FIX, "v1-leaker/inspect.json"), "utf8")));
    const [id, pid] = readFileSync(path.join(FIX, "v1-leaker/ids.txt"), "utf8").trim().split(" ");
    expect(i).toMatchObject({ id, pid: Number(pid), pidsLimit: 40, running: true, name: "lwdev-probe", tty: false });
    expect(parseInspect({ HostConfig: { PidsLimit: 0 } }).pidsLimit).toBeNull();
    expect(parseInspect({ HostConfig: { PidsLimit: -1 } }).pidsLimit).toBeNull();
  });

  it("one-shot stats give pids current and limit", () => {
    const s = parseStatsPids(JSON.parse(readFileSync(path.join(FIX, "v1-leaker/stats-one-shot.json"), "utf8")));
    expect(s).toMatchObject({ current: 40, limit: 40 });
    expect(parseStatsPids({ pids_stats: { current: 3 } })).toMatchObject({ current: 3, limit: null });
  });

  it("events: watched container actions kept; exec_*, top and create dropped", () => {
    const lines = readFileSync(path.join(FIX, "events.ndjson"), "utf8").trim().split("\n");
    const events = lines.map((l) => parseEventLine("local", l)).filter((e) => e !== null);
    expect(events.map((e) => e.action)).toEqual(["start", "kill", "kill", "die", "stop", "start", "restart", "kill"]);
    expect(events[0]).toMatchObject({
      host: "local",
      containerId: expect.stringMatching(/^ba1b8569/),
      ts: 1795409046289,
      attributes: { name: "lwdev-probe", "leakwatch.test": "1" },
    });
    expect(parseEventLine("local", "not json")).toBeNull();
  });
});
