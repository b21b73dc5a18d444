// Two consoles behind one PostgreSQL, as a scaled-out deployment runs them: the standalone build started twice
// (ports 3211 and 3212, separate data dirs, one secret key). A session made on one is valid on the other, both
// read the same container history, only the lease holder writes history (each sampled row carries the sampling
// time of exactly one instance), runbook progress is shared, and each instance's own audit chain verifies after
// actions were taken through both.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { REPO_ROOT, ensureFixtureImage, removeTestContainers, RUN_ID, startLeaker } from "../server/testing/harness";

const PG_URL = process.env.LEAKWATCH_TEST_PG_URL ?? "postgres://leakwatch:leakwatch@127.0.0.1:54329/leakwatch_test";
const REDIS = (process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391").replace(/\/\d*$/, "");
const PASSWORD = "multi-instance-admin-pw-1";
const PORTS = [3211, 3212] as const;
const NAME = `lw-e2e-multi-${RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10)}`;

interface Instance {
  port: number;
  origin: string;
  dataDir: string;
  proc: ChildProcess;
  api: APIRequestContext;
  log: string[];
}
const instances: Instance[] = [];
let containerId = "";

async function resetDatabase(): Promise<void> {
  // The role cannot create databases: a fresh schema in the test database instead (the PG store test does the same).
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query("drop schema public cascade");
    await c.query("create schema public");
  } finally {
    await c.end();
  }
}

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

function startServer(port: number): Instance {
  const dataDir = mkdtempSync(path.join(tmpdir(), `lw-multi-${port}-`));
  const log: string[] = [];
  const proc = spawn("node", [".next/standalone/leakwatch-server.mjs"], {
    cwd: REPO_ROOT,
    detached: true, // its own process group, so the kill below takes everything it started
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      LEAKWATCH_DATA_DIR: dataDir,
      LEAKWATCH_SECRET_KEY: "multi-instance-shared-secret-key-0123456789abcdef",
      LEAKWATCH_DATABASE_URL: PG_URL,
      LEAKWATCH_ADMIN_PASSWORD: PASSWORD,
      LEAKWATCH_SAMPLE_INTERVAL_MS: "1000",
      LEAKWATCH_BROKERS: `default=${REDIS}/1`,
      LEAKWATCH_DOCKER_HOSTS: "local=unix:///var/run/docker.sock",
      LEAKWATCH_LOG_LEVEL: "warn",
    },
  });
  const keep = (d: Buffer) => {
    log.push(d.toString());
    if (log.length > 200) log.shift();
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    proc,
    log,
    api: undefined as unknown as APIRequestContext,
  };
}

function stopServer(i: Instance): void {
  try {
    if (i.proc.pid) process.kill(-i.proc.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await ensureFixtureImage();
  containerId = await startLeaker({ name: NAME, mode: "healthy", pool: 3, pidsLimit: 64 });
  await resetDatabase();
  // Both at once: migrations and the first admin must cope with a concurrent start.
  for (const port of PORTS) instances.push(startServer(port));
  for (const i of instances) {
    i.api = await playwrightRequest.newContext({ baseURL: i.origin });
    await expect
      .poll(async () => (await i.api.get("/api/health").catch(() => null))?.status() ?? 0, {
        timeout: 90_000,
        message: `instance ${i.port} answers\n${i.log.join("")}`,
      })
      .toBe(200);
  }
});

test.afterAll(async () => {
  for (const i of instances) {
    await i.api?.dispose().catch(() => undefined);
    stopServer(i);
    rmSync(i.dataDir, { recursive: true, force: true });
  }
  await removeTestContainers("run");
});

/** Logs in on `i`; returns the session cookie and its CSRF token. */
async function login(i: Instance): Promise<{ cookie: string; csrf: string }> {
  const res = await i.api.post("/api/auth/login", {
    data: { username: "admin", password: PASSWORD },
    headers: { origin: i.origin },
  });
  expect(res.status()).toBe(200);
  const setCookie = res.headersArray().find((h) => h.name.toLowerCase() === "set-cookie")?.value ?? "";
  const cookie = setCookie.split(";")[0]!;
  expect(cookie).toMatch(/^lw_session=./);
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** A fresh context per call: no cookie jar, so only the cookie we pass is sent. */
async function get(
  i: Instance,
  url: string,
  cookie: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const ctx = await playwrightRequest.newContext({ baseURL: i.origin });
  try {
    const res = await ctx.get(url, { headers: { cookie } });
    return { status: res.status(), body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } finally {
    await ctx.dispose();
  }
}

async function post(
  i: Instance,
  url: string,
  s: { cookie: string; csrf: string },
  data: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const ctx = await playwrightRequest.newContext({ baseURL: i.origin });
  try {
    const res = await ctx.post(url, { data, headers: { cookie: s.cookie, "x-csrf-token": s.csrf, origin: i.origin } });
    return { status: res.status(), body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } finally {
    await ctx.dispose();
  }
}

test("a session made on one instance is valid on the other", async () => {
  const [a, b] = instances as [Instance, Instance];
  const s = await login(a);
  const onB = await get(b, "/api/auth/session", s.cookie);
  expect(onB.status).toBe(200);
  expect(onB.body).toMatchObject({ user: { username: "admin", role: "admin" } });
  expect((await get(b, "/api/auth/session", "lw_session=not-a-session")).status).toBe(401);
});

test("one history writer: both read the same container history, and every row is one instance's sample", async () => {
  test.setTimeout(120_000);
  const [a, b] = instances as [Instance, Instance];
  const s = await login(a);
  const health = async (i: Instance) => (await get(i, "/api/health", "")).body.instance as string;
  const ids = { [a.port]: await health(a), [b.port]: await health(b) };
  expect(ids[a.port]).not.toBe(ids[b.port]);

  // What each instance sampled (its live list carries its own sampling time per container).
  const seen: Record<number, Set<number>> = { [a.port]: new Set(), [b.port]: new Set() };
  const look = async (i: Instance) => {
    const r = await get(i, "/api/containers", s.cookie);
    const c = (r.body.containers as { id: string; sampledAt: number }[] | undefined)?.find((x) => x.id === containerId);
    if (c) seen[i.port]!.add(c.sampledAt);
  };
  await expect
    .poll(
      async () => {
        await Promise.all([look(a), look(b)]);
        return Math.min(seen[a.port]!.size, seen[b.port]!.size);
      },
      { timeout: 60_000, intervals: [300] },
    )
    .toBeGreaterThanOrEqual(10);

  const holder = (await query<{ holder: string }>("select holder from leases where name = 'history-writer'"))[0]
    ?.holder;
  expect([ids[a.port], ids[b.port]]).toContain(holder);
  const leader = holder === ids[a.port] ? a : b;
  const follower = leader === a ? b : a;

  // One series for the container, whichever instance made it (the primary key then rules out two rows per time).
  const series = await query<{ id: number }>(
    "select id from series where kind = 'container' and scope = 'local' and key = $1",
    [containerId],
  );
  expect(series).toHaveLength(1);
  const rows = await query<{ ts: string }>("select ts from container_points where series_id = $1 and res = 0", [
    series[0]!.id,
  ]);
  const written = new Set(rows.map((r) => Number(r.ts)));
  expect([...seen[leader.port]!].filter((t) => written.has(t)).length).toBeGreaterThan(0);
  // The follower writes nothing. Its samples are told apart from the leader's by their time, except when both
  // read the container in the same millisecond (it happened in CI once: one of ten): that is one observation
  // and one row. A writing follower would put nearly all of its samples in the table, and about twice the rows.
  const followerSeen = [...seen[follower.port]!];
  const followerInTable = followerSeen.filter((t) => written.has(t));
  expect(followerInTable.length, `follower samples found in the table: ${followerInTable.join(", ")}`).toBeLessThan(
    followerSeen.length / 2,
  );
  const all = [...seen[a.port]!, ...seen[b.port]!];
  const [from, to] = [Math.min(...all), Math.max(...all)];
  const rowsInWindow = [...written].filter((t) => t >= from && t <= to).length;
  expect(rowsInWindow).toBeLessThanOrEqual(Math.ceil(((to - from) / 1000 + 1) * 1.5)); // one writer at a 1 s interval

  // Both serve the same history: compare up to the newest point both have.
  const history = async (i: Instance) => {
    const r = await get(i, `/api/containers/local/${containerId}?range=1h`, s.cookie);
    expect(r.status).toBe(200);
    return r.body.history as { ts: number; current: number | null }[];
  };
  const [ha, hb] = [await history(a), await history(b)];
  const upTo = Math.min(ha.at(-1)?.ts ?? 0, hb.at(-1)?.ts ?? 0);
  const common = (h: { ts: number }[]) => h.filter((p) => p.ts <= upTo);
  expect(common(ha).length).toBeGreaterThanOrEqual(5);
  expect(common(hb)).toEqual(common(ha));
});

test("runbook progress made on one instance shows on the other", async () => {
  const [a, b] = instances as [Instance, Instance];
  const s = await login(a);
  const started = await post(a, "/api/runbooks", s, {
    kind: "thread-leak",
    target: { host: "local", id: containerId },
  });
  expect([200, 201]).toContain(started.status);
  const runId = (started.body.run as { id: string }).id;
  const marked = await post(b, `/api/runbooks/${runId}/steps`, s, {
    step: "detect",
    done: true,
    note: "seen on the other instance",
  });
  expect(marked.status).toBe(200);
  const [va, vb] = [await get(a, `/api/runbooks/${runId}`, s.cookie), await get(b, `/api/runbooks/${runId}`, s.cookie)];
  expect(va.status).toBe(200);
  expect(va.body.steps).toEqual(vb.body.steps);
  expect(JSON.stringify(va.body.steps)).toContain("seen on the other instance");
});

test("actions through both instances: each instance's audit chain verifies", async () => {
  const [a, b] = instances as [Instance, Instance];
  const s = await login(a); // one session, used on both
  for (const [i, limit] of [
    [a, 80],
    [b, 96],
  ] as const) {
    const r = await post(i, "/api/actions", s, {
      action: "container.set-pids-limit",
      target: { host: "local", id: containerId },
      params: { limit },
      reason: `multi-instance test via ${i.port}`,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: "succeeded" });
  }
  for (const i of instances) {
    const v = await get(i, "/api/audit/verify", s.cookie);
    expect(v.status).toBe(200);
    expect(v.body, `audit verify on ${i.port}`).toMatchObject({ ok: true });
    expect(Number(v.body.entries)).toBeGreaterThan(0);
  }
});
