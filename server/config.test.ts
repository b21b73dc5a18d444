import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DIFY_QUEUES, parseConfig } from "./config";

describe("parseConfig", () => {
  it("has defaults that work on a fresh machine", () => {
    const c = parseConfig({});
    expect(c.dockerHosts).toEqual([{ name: "local", url: "unix:///var/run/docker.sock" }]);
    expect(c.brokers[0]).toMatchObject({
      name: "default",
      url: "redis://127.0.0.1:6379/1",
      prioritySteps: [0, 3, 6, 9],
      globalKeyprefix: "",
    });
    expect(c.brokers[0]!.queues).toEqual([...DIFY_QUEUES]);
    expect(c.brokers[0]!.queues).toHaveLength(16);
    expect(c.sampleIntervalMs).toBe(5000);
    expect(c.procRoot).toBe("/proc");
    expect(c.cgroupRoot).toBe("/sys/fs/cgroup");
    expect(c.databaseUrl).toBeNull();
    expect(c.thresholds.queueDepth).toBe(200);
  });

  it("parses several docker hosts and brokers, including Celery's sentinel form", () => {
    const c = parseConfig({
      LEAKWATCH_DOCKER_HOSTS: "a=unix:///var/run/docker.sock, b=tcp://10.0.0.5:2376,c=ssh://ops@host",
      LEAKWATCH_BROKERS: "dify=sentinel://:pw@127.0.0.1:26379/1;sentinel://:pw@127.0.0.1:26380/1?master_name=mymaster",
    });
    expect(c.dockerHosts.map((h) => h.name)).toEqual(["a", "b", "c"]);
    expect(c.brokers[0]!.masterName).toBe("mymaster");
  });

  it("marks a socket proxy in front of this host's engine as local (cgroupfs and /proc readings), and only by name", () => {
    const c = parseConfig({
      LEAKWATCH_DOCKER_HOSTS: "local=tcp://127.0.0.1:2375,far=tcp://10.0.0.5:2376",
      LEAKWATCH_LOCAL_DOCKER_HOSTS: "local",
    });
    expect(c.dockerHosts.map((h) => [h.name, h.local ?? false])).toEqual([
      ["local", true],
      ["far", false],
    ]);
    expect(() =>
      parseConfig({ LEAKWATCH_DOCKER_HOSTS: "local=tcp://127.0.0.1:2375", LEAKWATCH_LOCAL_DOCKER_HOSTS: "other" }),
    ).toThrow(/LEAKWATCH_LOCAL_DOCKER_HOSTS/);
  });

  it("parses the second audit sinks", () => {
    const c = parseConfig({
      LEAKWATCH_AUDIT_SYSLOG: "udp://127.0.0.1:5514",
      LEAKWATCH_AUDIT_REDIS_STREAM: "redis://127.0.0.1:6379/3#lw:audit",
    });
    expect(c.auditSyslog).toEqual({ protocol: "udp", host: "127.0.0.1", port: 5514 });
    expect(c.auditRedisStream).toEqual({ url: "redis://127.0.0.1:6379/3", key: "lw:audit" });
  });

  it.each([
    ["LEAKWATCH_DOCKER_HOSTS", "local"],
    ["LEAKWATCH_DOCKER_HOSTS", "x=http//nope"],
    ["LEAKWATCH_DOCKER_HOSTS", "a=unix:///x,a=unix:///y"],
    ["LEAKWATCH_BROKERS", "b=amqp://guest@localhost//"],
    ["LEAKWATCH_SAMPLE_INTERVAL_MS", "fast"],
    ["LEAKWATCH_SAMPLE_INTERVAL_MS", "10"],
    ["LEAKWATCH_DATABASE_URL", "mysql://x"],
    ["LEAKWATCH_READ_ONLY", "maybe"],
    ["LEAKWATCH_CONFIG", "/nonexistent/leakwatch.json"],
    ["LEAKWATCH_QUEUE_PRESETS", "nope"],
    ["LEAKWATCH_AUDIT_SYSLOG", "syslog.example:514"],
    ["LEAKWATCH_AUDIT_REDIS_STREAM", "redis://127.0.0.1:6379/0"],
    ["LEAKWATCH_WEBHOOKS", "teams=http://127.0.0.1:9999/hook"],
    ["LEAKWATCH_WEBHOOKS", "json=not a url"],
    ["LEAKWATCH_WEBHOOKS", "json=ftp://127.0.0.1/hook"],
    ["LEAKWATCH_PUBLIC_URL", "console.example"],
  ])("a bad %s stops start-up and names the variable", (variable, value) => {
    expect(() => parseConfig({ [variable]: value })).toThrowError(ConfigError);
    try {
      parseConfig({ [variable]: value });
    } catch (e) {
      expect((e as ConfigError).variable).toBe(variable);
      expect((e as Error).message.startsWith(`${variable}:`)).toBe(true);
    }
  });

  it("parses alert webhooks and the public URL", () => {
    const c = parseConfig({
      LEAKWATCH_WEBHOOKS: "json=http://127.0.0.1:9999/hook, slack=https://hooks.example/T1/B2",
      PORT: "3200",
    });
    expect(c.webhooks).toEqual([
      { format: "json", url: "http://127.0.0.1:9999/hook" },
      { format: "slack", url: "https://hooks.example/T1/B2" },
    ]);
    expect(c.publicUrl).toBe("http://127.0.0.1:3200");
    expect(parseConfig({}).webhooks).toEqual([]);
    expect(parseConfig({ LEAKWATCH_PUBLIC_URL: "https://ops.example/leakwatch/" }).publicUrl).toBe(
      "https://ops.example/leakwatch",
    );
  });

  it("reads a broker's exchange_types (kombu's exchange type names only)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lw-config-"));
    try {
      const file = path.join(dir, "leakwatch.json");
      const env = { LEAKWATCH_BROKERS: "dify=redis://127.0.0.1:6379/1", LEAKWATCH_CONFIG: file };
      writeFileSync(file, JSON.stringify({ brokers: { dify: { exchange_types: { broadcast_tasks: "fanout" } } } }));
      expect(parseConfig(env).brokers[0]!.exchangeTypes).toEqual({ broadcast_tasks: "fanout" });
      writeFileSync(file, JSON.stringify({ brokers: { dify: { exchange_types: { h: "headers" } } } }));
      expect(() => parseConfig(env)).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("reads a broker's result backend from LEAKWATCH_RESULT_BACKENDS or the file, and never echoes its password", () => {
    const c = parseConfig({
      LEAKWATCH_BROKERS: "a=redis://127.0.0.1:6379/1,b=redis://127.0.0.1:6379/2",
      LEAKWATCH_RESULT_BACKENDS: "a=rediss://:s3cret@cache:6380/3",
    });
    expect(c.brokers[0]!.resultBackend).toEqual({ url: "rediss://:s3cret@cache:6380/3", globalKeyprefix: "" });
    expect(c.brokers[1]!.resultBackend).toBeUndefined();
    const bad = () =>
      parseConfig({ LEAKWATCH_BROKERS: "a=redis://h/1", LEAKWATCH_RESULT_BACKENDS: "a=db+postgresql://u:s3cret@h/x" });
    expect(bad).toThrow(ConfigError);
    expect(bad).not.toThrow(/s3cret/);
    expect(() =>
      parseConfig({ LEAKWATCH_BROKERS: "a=redis://h/1", LEAKWATCH_RESULT_BACKENDS: "z=redis://h/3" }),
    ).toThrow(/not a name in LEAKWATCH_BROKERS/);

    const dir = mkdtempSync(path.join(tmpdir(), "lw-config-"));
    try {
      const file = path.join(dir, "leakwatch.json");
      writeFileSync(
        file,
        JSON.stringify({
          brokers: {
            a: {
              result_backend: "sentinel://:pw@10.0.0.1:26379/4;sentinel://:pw@10.0.0.2:26379/4",
              result_backend_transport_options: { master_name: "results", global_keyprefix: "app:" },
            },
          },
        }),
      );
      const f = parseConfig({ LEAKWATCH_BROKERS: "a=redis://h/1", LEAKWATCH_CONFIG: file });
      expect(f.brokers[0]!.resultBackend).toEqual({
        url: "sentinel://:pw@10.0.0.1:26379/4;sentinel://:pw@10.0.0.2:26379/4",
        masterName: "results",
        globalKeyprefix: "app:",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
