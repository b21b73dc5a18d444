// Prometheus for real: Debian's promtool checks and unit-tests deploy/prometheus/'s rules and lints the console's
// /metrics; Debian's prometheus (127.0.0.1:9405, its own data dir) scrapes a running console with a viewer token,
// using deploy/prometheus/prometheus.yml and its rules, and its HTTP API must agree with the console about a
// container capped by an ancestor cgroup, and fire the forks-refused alert for it. The Grafana dashboard's queries
// may only name metrics /metrics exports (or the recording rules built from them).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as containersGET } from "@/app/api/containers/route";
import { GET as metricsGET } from "@/app/metrics/route";
import { createApiToken } from "@/server/auth/tokens";
import type { ContainersResponse } from "@/server/schemas/api";
import {
  REPO_ROOT,
  RUN_ID,
  cleanupCgroupParents,
  ensureFixtureImage,
  removeTestContainers,
  run,
  setCgroupPidsMax,
  startLeaker,
  waitFor,
} from "@/server/testing/harness";
import { adminCookie, call } from "@/server/testing/console";
import { testRedisServer } from "@/server/testing/redis-server";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";

const PROMETHEUS_PORT = Number(process.env.LEAKWATCH_TEST_PROMETHEUS_PORT ?? 9405);
const PROM = `http://127.0.0.1:${PROMETHEUS_PORT}`;
const DEPLOY = path.join(REPO_ROOT, "deploy");
/** Names promtool's lint flags that are kept on purpose, each listed in the README with the reason. */
const KEPT_FOR_COMPATIBILITY = [
  "celery_active_consumer_count",
  "celery_active_worker_count",
  "celery_active_process_count",
];

const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-12);
const name = `lw-prom-${tag}`;
const parent = `leakwatch-prom-${tag}`;
const redis = testRedisServer(Number(process.env.LEAKWATCH_TEST_PROM_REDIS_PORT ?? 6405));
let server: http.Server;
let prometheus: ChildProcess | null = null;
let workDir = "";
let token = "";
let cookie = "";

/** The console's /metrics as Prometheus reaches it: an HTTP server in front of the route handler Next runs. */
async function serveMetrics(): Promise<number> {
  server = http.createServer((req, res) => {
    const headers: Record<string, string> = { host: req.headers.host ?? "127.0.0.1" };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    void metricsGET(new Request(`http://127.0.0.1${req.url}`, { headers })).then(async (r) => {
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(await r.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function metricsBody(): Promise<string> {
  const r = await metricsGET(
    new Request("http://127.0.0.1/metrics", { headers: { host: "127.0.0.1", authorization: `Bearer ${token}` } }),
  );
  expect(r.status).toBe(200);
  return r.text();
}

/** deploy/prometheus/prometheus.yml as shipped, pointed at this console, token file and a 1 s interval. */
async function prometheusConfig(consolePort: number, tokenFile: string): Promise<string> {
  let text = await readFile(path.join(DEPLOY, "prometheus/prometheus.yml"), "utf8");
  const swap = (from: string | RegExp, to: string) => {
    const next = text.replace(from, to);
    expect(next, `prometheus.yml no longer contains ${String(from)}`).not.toBe(text);
    text = next;
  };
  swap("credentials_file: /etc/prometheus/leakwatch.token", `credentials_file: ${tokenFile}`);
  swap('targets: ["leakwatch:3000"]', `targets: ["127.0.0.1:${consolePort}"]`);
  swap(/scrape_interval: \d+s/, "scrape_interval: 1s");
  swap(/evaluation_interval: \d+s/, "evaluation_interval: 1s");
  swap("- leakwatch.rules.yml", `- ${path.join(DEPLOY, "prometheus/leakwatch.rules.yml")}`);
  return text;
}

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}
async function promQuery(query: string): Promise<PromVector[]> {
  const r = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await r.json()) as { status: string; data: { result: PromVector[] } };
  expect(body.status).toBe("success");
  return body.data.result;
}

beforeAll(async () => {
  await ensureFixtureImage();
  await redis.start();
  await startRuntime({
    LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock",
    LEAKWATCH_BROKERS: `dify=${redis.url(1)}`,
    LEAKWATCH_SAMPLE_INTERVAL_MS: "500",
  });
  cookie = await adminCookie();
  token = (await createApiToken("prometheus", "viewer", "admin")).token;
  // Its own limit is 100, but the parent cgroup caps it at 30: the leak hits 30 and the kernel refuses forks.
  await setCgroupPidsMax(`/${parent}`, 30);
  await startLeaker({ name, mode: "leak", rate: 20, pidsLimit: 100, cgroupParent: `/${parent}` });
  workDir = await mkdtemp(path.join(tmpdir(), "lw-prometheus-"));
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const p = prometheus;
    await new Promise<void>((r) => {
      p.once("exit", () => r());
      p.kill("SIGTERM");
    });
  }
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await stopRuntime();
  await redis.stop();
  await removeTestContainers("run");
  await cleanupCgroupParents();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("deploy/prometheus with promtool", () => {
  it("the rules pass promtool check rules and their own unit tests", async () => {
    const dir = path.join(DEPLOY, "prometheus");
    const check = await run("promtool", ["check", "rules", "leakwatch.rules.yml"], { cwd: dir });
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = await run("promtool", ["test", "rules", "leakwatch.rules.test.yml"], { cwd: dir });
    expect(tests.stdout).toMatch(/SUCCESS/);
  });

  it("/metrics passes promtool check metrics, except the celery-exporter names kept on purpose", async () => {
    await waitFor(async () => (await metricsBody()).includes(`name="${name}"`), { what: "the leaker in /metrics" });
    const body = await metricsBody();
    expect(body).toMatch(/^# TYPE leakwatch_container_pids_refused_total counter$/m);
    const lint = await new Promise<string>((resolve) => {
      const p = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      p.stderr.on("data", (d: Buffer) => (out += d.toString()));
      p.on("close", () => resolve(out));
      p.stdin.end(body);
    });
    // promtool lints only families with samples: the celery-exporter names are flagged only while they have some.
    const flagged = [
      ...new Set(
        lint
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(/\s/)[0]!),
      ),
    ];
    for (const n of flagged) expect(KEPT_FOR_COMPATIBILITY, lint).toContain(n);
  });
});

describe("Debian's Prometheus scraping the console", () => {
  it("sees the same effective limit as the console and fires the forks-refused alert for the leaking container", async () => {
    const consolePort = await serveMetrics();
    const tokenFile = path.join(workDir, "leakwatch.token");
    await writeFile(tokenFile, token, { mode: 0o600 });
    const configFile = path.join(workDir, "prometheus.yml");
    await writeFile(configFile, await prometheusConfig(consolePort, tokenFile));
    await run("promtool", ["check", "config", configFile]);
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(workDir, "data")}`,
        `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    prometheus.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));

    const target = await waitFor(
      async () => {
        const r = await fetch(`${PROM}/api/v1/targets`);
        const t = (
          (await r.json()) as {
            data: { activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] };
          }
        ).data.activeTargets;
        return t.find((x) => x.labels.job === "leakwatch" && x.health === "up");
      },
      { timeoutMs: 60_000, what: `Prometheus scraping the console (log: ${log.slice(-500)})` },
    );
    expect(target.labels.instance).toBe(`127.0.0.1:${consolePort}`);

    // The console's own answer for the container, once it has settled at the ancestor's cap.
    const console = await waitFor(
      async () => {
        const r = await call<ContainersResponse>(containersGET, "/api/containers", cookie);
        const c = r.body.containers.find((x) => x.name === name);
        return c && c.pids.effectiveLimit !== null && (c.pids.refusedTotal ?? 0) > 0 ? c : undefined;
      },
      { timeoutMs: 60_000, what: "the console to see the leaker refused at its ancestor's cap" },
    );
    expect(console.pids).toMatchObject({ limit: 100, effectiveLimit: 30, limitSource: "ancestor" });

    const [effective] = await waitFor(
      async () => {
        const v = await promQuery(`leakwatch_container_threads_effective_max{name="${name}"}`);
        return v.length === 1 ? v : undefined;
      },
      { timeoutMs: 30_000, what: "the effective limit in Prometheus" },
    );
    expect(Number(effective!.value[1])).toBe(console.pids.effectiveLimit);
    expect(effective!.metric).toMatchObject({
      job: "leakwatch",
      host: "local",
      id: console.id,
      limit_source: console.pids.limitSource,
    });
    const [ratio] = await waitFor(
      async () => {
        const v = await promQuery(`leakwatch:container_threads_effective_ratio{name="${name}"}`);
        return v.length === 1 ? v : undefined;
      },
      { timeoutMs: 30_000, what: "the recording rule's ratio" },
    );
    expect(Number(ratio!.value[1])).toBeGreaterThan(0.9);

    const alert = await waitFor(
      async () => {
        const r = await fetch(`${PROM}/api/v1/alerts`);
        const alerts = ((await r.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } })
          .data.alerts;
        return alerts.find(
          (a) => a.labels.alertname === "LeakwatchForksRefused" && a.labels.name === name && a.state === "firing",
        );
      },
      { timeoutMs: 60_000, what: "LeakwatchForksRefused firing" },
    );
    expect(alert.labels).toMatchObject({ severity: "critical", host: "local", id: console.id });
  });
});

describe("deploy/grafana/leakwatch.json", () => {
  interface Panel {
    title: string;
    type: string;
    targets?: { expr: string }[];
    panels?: Panel[];
  }
  it("has fleet, container and queue rows, and every query names metrics /metrics exports or the recording rules", async () => {
    const dash = JSON.parse(await readFile(path.join(DEPLOY, "grafana/leakwatch.json"), "utf8")) as {
      panels: Panel[];
      templating: { list: { name: string; query: string | { query: string } }[] };
    };
    const flat = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    expect(flat.filter((p) => p.type === "row").map((p) => p.title)).toEqual(["Fleet", "One container", "Queues"]);

    const exported = new Set([...(await metricsBody()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const rules = await readFile(path.join(DEPLOY, "prometheus/leakwatch.rules.yml"), "utf8");
    const recorded = new Set([...rules.matchAll(/^\s*- record: (\S+)$/gm)].map((m) => m[1]!));
    const metricName = /\b(?:container_|celery_|leakwatch_|leakwatch:)[a-z0-9_:]*/g;
    const queries = [
      ...flat
        .filter((p) => p.type !== "row")
        .map((p) => {
          expect(p.targets?.length, `panel "${p.title}" has no query`).toBeGreaterThan(0);
          return { where: `panel "${p.title}"`, exprs: p.targets!.map((t) => t.expr) };
        }),
      ...dash.templating.list
        .filter((v) => typeof v.query === "object")
        .map((v) => ({ where: `variable $${v.name}`, exprs: [(v.query as { query: string }).query] })),
    ];
    for (const q of queries) {
      for (const expr of q.exprs) {
        const names = expr.match(metricName) ?? [];
        expect(names.length, `${q.where}: ${expr} names no metric`).toBeGreaterThan(0);
        for (const n of names)
          expect(
            exported.has(n) || recorded.has(n),
            `${q.where}: ${n} is neither in /metrics nor a recording rule`,
          ).toBe(true);
      }
    }
  });
});
