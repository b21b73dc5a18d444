// The access rules, end to end through the real route handlers: every route file under app/ with every exported
// method, for anonymous, each role, Bearer tokens, and forged browser requests (cross-origin, Origin: null,
// no Origin, missing or wrong CSRF token). The static check that state changes only go through runAction needs no
// services: server/actions/boundaries.test.ts in the unit suite.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Role } from "@/server/auth/roles";
import { NotFoundError } from "@/server/errors";
import { apiRoute } from "@/server/http/handle";
import { createApiToken, revokeApiToken } from "@/server/auth/tokens";
import { flushTestRedis, testRedisUrl } from "@/server/testing/harness";
import {
  call,
  callJson,
  errorCode,
  startConsole,
  type CallOptions,
  type TestConsole,
  type TestUser,
} from "@/server/testing/action-console";
import { discoverRouteFiles, HTTP_METHODS, REPO_ROOT, urlPattern } from "@/server/testing/routes";

const BROKER_DB = 5;

type Access = "public" | Role;
interface MethodSpec {
  access: Access;
  mutating: boolean;
  /** What an allowed caller's (deliberately harmless) request answers: invalid bodies, unknown ids. */
  allowed: number[];
  body?: unknown;
}

// The contract. A new route file or method fails the completeness test until it is added here with its rule.
const SPEC: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], MethodSpec>>> = {
  "app/api/actions/[id]/cancel/route.ts": { POST: { access: "operator", mutating: true, allowed: [404] } },
  "app/api/actions/preview/route.ts": { POST: { access: "viewer", mutating: true, allowed: [400], body: {} } },
  "app/api/actions/route.ts": {
    GET: { access: "viewer", mutating: false, allowed: [200] },
    POST: { access: "viewer", mutating: true, allowed: [400], body: {} },
  },
  "app/api/alerts/[id]/ack/route.ts": { POST: { access: "operator", mutating: true, allowed: [404] } },
  "app/api/alerts/[id]/silence/route.ts": {
    POST: { access: "operator", mutating: true, allowed: [400], body: {} },
    DELETE: { access: "operator", mutating: true, allowed: [404] },
  },
  "app/api/alerts/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/alerts/rules/[rule]/route.ts": {
    PUT: { access: "admin", mutating: true, allowed: [400], body: { enabled: "yes" } },
  },
  "app/api/audit/[id]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/audit/export/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/audit/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/audit/verify/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/auth/login/route.ts": { POST: { access: "public", mutating: true, allowed: [400], body: {} } },
  "app/api/auth/logout/route.ts": { POST: { access: "viewer", mutating: true, allowed: [200] } },
  "app/api/auth/session/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/containers/[host]/[id]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/containers/[host]/[id]/threads/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/containers/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/events/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/health/route.ts": { GET: { access: "public", mutating: false, allowed: [200] } },
  "app/api/queues/[broker]/[queue]/messages/route.ts": {
    GET: { access: "viewer", mutating: false, allowed: [200, 404] },
  },
  "app/api/queues/[broker]/[queue]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200, 404] } },
  "app/api/queues/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/runbooks/[id]/actions/route.ts": { POST: { access: "operator", mutating: true, allowed: [400], body: {} } },
  "app/api/runbooks/[id]/context/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/runbooks/[id]/notes/route.ts": { POST: { access: "operator", mutating: true, allowed: [400], body: {} } },
  "app/api/runbooks/[id]/report/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/runbooks/[id]/route.ts": {
    GET: { access: "viewer", mutating: false, allowed: [404] },
    PATCH: { access: "operator", mutating: true, allowed: [400, 404], body: {} },
  },
  "app/api/runbooks/[id]/steps/route.ts": { POST: { access: "operator", mutating: true, allowed: [400], body: {} } },
  "app/api/runbooks/route.ts": {
    GET: { access: "viewer", mutating: false, allowed: [200] },
    POST: { access: "operator", mutating: true, allowed: [400], body: {} },
  },
  "app/api/setup/route.ts": { POST: { access: "public", mutating: true, allowed: [400], body: {} } },
  "app/api/tokens/[id]/route.ts": { DELETE: { access: "admin", mutating: true, allowed: [404] } },
  "app/api/tokens/route.ts": {
    GET: { access: "admin", mutating: false, allowed: [200] },
    POST: { access: "admin", mutating: true, allowed: [400], body: {} },
  },
  "app/api/users/[id]/password/route.ts": { POST: { access: "admin", mutating: true, allowed: [400], body: {} } },
  "app/api/tasks/[broker]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200, 404] } },
  "app/api/users/[id]/route.ts": {
    PATCH: { access: "admin", mutating: true, allowed: [400], body: {} },
    DELETE: { access: "admin", mutating: true, allowed: [404] },
  },
  "app/api/users/route.ts": {
    GET: { access: "admin", mutating: false, allowed: [200] },
    POST: { access: "admin", mutating: true, allowed: [400], body: {} },
  },
  "app/api/workers/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/failures/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
  "app/api/failures/[broker]/[taskId]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/api/workers/[broker]/[hostname]/route.ts": { GET: { access: "viewer", mutating: false, allowed: [404] } },
  "app/metrics/route.ts": { GET: { access: "viewer", mutating: false, allowed: [200] } },
};

const PUBLIC_ROUTES = ["/api/health", "/api/auth/login", "/api/setup"];
const RANK: Record<Access, number> = { public: 0, viewer: 1, operator: 2, admin: 3 };
const ROLE_LIST: Role[] = ["viewer", "operator", "admin"];

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
interface RouteCase {
  file: string;
  url: string;
  method: string;
  handler: Handler;
  spec: MethodSpec;
  params: Record<string, string>;
}

let lw: TestConsole;
const cases: RouteCase[] = [];

function paramsFor(url: string): Record<string, string> {
  const values: Record<string, string> = {
    id: `lw-no-such-${randomUUID().slice(0, 8)}`,
    host: "local",
    broker: "default",
    queue: "dataset",
    rule: "queue-depth",
  };
  const out: Record<string, string> = {};
  for (const m of url.matchAll(/\[(\w+)\]/g)) out[m[1]!] = values[m[1]!] ?? "x";
  return out;
}

function concreteUrl(c: RouteCase): string {
  return c.url.replace(/\[(\w+)\]/g, (_, k: string) => c.params[k]!);
}

/** One request; the body is drained (an event stream is cancelled) so nothing keeps running. */
async function hit(c: RouteCase, o: CallOptions): Promise<{ status: number; code?: string }> {
  const res = await call(c.handler, concreteUrl(c), { method: c.method, params: c.params, body: c.spec.body, ...o });
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    /* not JSON (metrics, CSV) */
  }
  return { status: res.status, code };
}

/** A logout ends the session it is sent with: give each logout a fresh one. */
async function userFor(c: RouteCase, role: Role): Promise<TestUser> {
  return c.url === "/api/auth/logout" ? lw.newSession(role) : lw.users[role];
}

beforeAll(async () => {
  await flushTestRedis([BROKER_DB]);
  lw = await startConsole({ LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}` });
  for (const file of await discoverRouteFiles()) {
    const mod = (await import(path.join(REPO_ROOT, file))) as Record<string, unknown>;
    for (const method of HTTP_METHODS) {
      const spec = SPEC[file]?.[method];
      if (typeof mod[method] === "function" && spec) {
        const url = urlPattern(file);
        cases.push({ file, url, method, handler: mod[method] as Handler, spec, params: paramsFor(url) });
      }
    }
  }
});

afterAll(async () => {
  await lw?.close();
  await flushTestRedis([BROKER_DB]);
});

describe("the route list", () => {
  it("names every route file and exported method under app/ in the access contract", async () => {
    const files = await discoverRouteFiles();
    expect(files).toEqual(Object.keys(SPEC).sort());
    for (const file of files) {
      const mod = (await import(path.join(REPO_ROOT, file))) as Record<string, unknown>;
      const exported = HTTP_METHODS.filter((m) => typeof mod[m] === "function");
      expect({ file, methods: exported }).toEqual({
        file,
        methods: Object.keys(SPEC[file]!).sort(
          (a, b) => HTTP_METHODS.indexOf(a as never) - HTTP_METHODS.indexOf(b as never),
        ),
      });
    }
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it("has exactly the documented public routes", () => {
    const pub = [...new Set(cases.filter((c) => c.spec.access === "public").map((c) => c.url))].sort();
    expect(pub).toEqual([...PUBLIC_ROUTES].sort());
  });
});

describe("who may call what", () => {
  it("refuses anonymous callers with 401 everywhere except the public routes", async () => {
    for (const c of cases) {
      const r = await hit(c, { as: null });
      if (c.spec.access === "public")
        expect({ route: `${c.method} ${c.url}`, status: r.status }).toEqual({
          route: `${c.method} ${c.url}`,
          status: c.spec.allowed[0],
        });
      else
        expect({ route: `${c.method} ${c.url}`, status: r.status, code: r.code }).toEqual({
          route: `${c.method} ${c.url}`,
          status: 401,
          code: "unauthenticated",
        });
    }
  });

  it("gives each role 403 below the route's role and a real answer at or above it", async () => {
    for (const c of cases) {
      for (const role of ROLE_LIST) {
        const r = await hit(c, { as: await userFor(c, role) });
        const route = `${role} ${c.method} ${c.url}`;
        if (RANK[role] < RANK[c.spec.access])
          expect({ route, status: r.status, code: r.code }).toEqual({ route, status: 403, code: "forbidden" });
        else
          expect({ route, ok: c.spec.allowed.includes(r.status), status: r.status }).toEqual({
            route,
            ok: true,
            status: r.status,
          });
      }
    }
  });

  it("refuses forged browser requests on every mutating route: other origin, Origin null, no Origin, missing or wrong CSRF token", async () => {
    const mutating = cases.filter((c) => c.spec.mutating);
    expect(mutating.length).toBeGreaterThanOrEqual(9);
    for (const c of mutating) {
      const admin = await userFor(c, "admin");
      const route = `${c.method} ${c.url}`;
      for (const origin of ["http://evil.example", "null", null, "http://127.0.0.1:3001"] as const) {
        const r = await hit(c, { as: admin, origin });
        expect({ route, origin, status: r.status, code: r.code }).toEqual({ route, origin, status: 403, code: "csrf" });
      }
      const noToken = await hit(c, { as: admin, csrf: null });
      const wrongToken = await hit(c, { as: admin, csrf: "not-the-token" });
      if (c.spec.access === "public") {
        // No session yet, so no token to send: the Origin check is what protects sign-in and setup.
        expect({ route, status: noToken.status }).toEqual({ route, status: c.spec.allowed[0] });
      } else {
        expect({ route, status: noToken.status, code: noToken.code }).toEqual({ route, status: 403, code: "csrf" });
        expect({ route, status: wrongToken.status, code: wrongToken.code }).toEqual({
          route,
          status: 403,
          code: "csrf",
        });
      }
    }
  });

  it("records a refused cross-origin request as a denied event", async () => {
    const { POST } = await import("@/app/api/users/route");
    const r = await callJson(POST, "/api/users", {
      as: lw.users.admin,
      origin: "http://evil.example",
      body: { username: "mallory", password: "x".repeat(20), role: "admin" },
    });
    expect(r.status).toBe(403);
    const denied = (await lw.auditEntries()).filter(
      (e) => e.event === "denied" && e.actor === lw.users.admin.username && e.action === "POST /api/users",
    );
    expect(denied.some((e) => /cross-origin/i.test(String(e.reason)))).toBe(true);
    const { GET } = await import("@/app/api/users/route");
    const users = await callJson<{ users: { username: string }[] }>(GET, "/api/users", { as: lw.users.admin });
    expect(users.body.users.map((u) => u.username)).not.toContain("mallory");
  });

  it("ignores a user header from an address that is not a trusted proxy", async () => {
    const { GET } = await import("@/app/api/auth/session/route");
    const req = new Request("http://127.0.0.1:3000/api/auth/session", {
      headers: {
        host: "127.0.0.1:3000",
        "x-forwarded-user": "admin",
        "x-forwarded-for": "127.0.0.1",
        "remote-user": "admin",
      },
    });
    expect((await GET(req)).status).toBe(401);
  });
});

describe("API tokens", () => {
  it("let a script call a mutating route without Origin or CSRF token, within the token's role", async () => {
    const { POST: createToken } = await import("@/app/api/tokens/route");
    const created = await callJson<{ id: string; token: string }>(createToken, "/api/tokens", {
      as: lw.users.admin,
      body: { name: "ci-operator", role: "operator" },
    });
    expect(created.status).toBe(201);
    const { POST: runAction } = await import("@/app/api/actions/route");
    // No Origin, no cookie, no CSRF token: what curl or a cron job sends. The body is invalid on purpose: 400 means
    // the request got past authentication, Origin and CSRF.
    const r = await callJson(runAction, "/api/actions", {
      bearer: created.body.token,
      origin: null,
      body: { action: "" },
    });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 400, code: "validation" });

    const { GET: listUsers } = await import("@/app/api/users/route");
    const tooLow = await callJson(listUsers, "/api/users", { bearer: created.body.token, origin: null });
    expect({ status: tooLow.status, code: errorCode(tooLow) }).toEqual({ status: 403, code: "forbidden" });

    const { DELETE } = await import("@/app/api/tokens/[id]/route");
    const revoked = await call(DELETE, `/api/tokens/${created.body.id}`, {
      method: "DELETE",
      as: lw.users.admin,
      params: { id: created.body.id },
    });
    expect(revoked.status).toBe(200);
    const after = await callJson(runAction, "/api/actions", {
      bearer: created.body.token,
      origin: null,
      body: { action: "" },
    });
    expect({ status: after.status, code: errorCode(after) }).toEqual({ status: 401, code: "unauthenticated" });
  });

  it("serve /metrics to a viewer token and refuse it without one", async () => {
    const t = await createApiToken("prometheus", "viewer", lw.users.admin.username);
    const { GET } = await import("@/app/metrics/route");
    const ok = await call(GET, "/metrics", { bearer: t.token, origin: null });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toMatch(/^# HELP leakwatch_source_up /m);
    expect((await call(GET, "/metrics", { origin: null })).status).toBe(401);
    await revokeApiToken(t.id);
    expect((await call(GET, "/metrics", { bearer: t.token, origin: null })).status).toBe(401);
  });
});

describe("actions and roles", () => {
  const raise = {
    action: "container.set-pids-limit",
    target: { host: "local", id: "lw-no-such-container" },
    params: { limit: 100 },
    reason: "INC-42 raise the limit",
  };

  it("refuses a viewer's action with 403 and records the denial in the audit log", async () => {
    const { POST } = await import("@/app/api/actions/route");
    const before = (await lw.auditEntries()).length;
    const r = await callJson(POST, "/api/actions", { as: lw.users.viewer, body: raise });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 403, code: "forbidden" });
    const added = (await lw.auditEntries()).slice(before);
    const denied = added.filter((e) => e.kind === "event" && e.event === "denied");
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ actor: lw.users.viewer.username, role: "viewer", action: "POST /api/actions" });
    expect(String(denied[0]!.reason)).toMatch(/operator/);
    // Refused before anything ran: no intent.
    expect(added.some((e) => e.kind === "intent")).toBe(false);
  });

  it("refuses a viewer's preview of an operator action the same way", async () => {
    const { POST } = await import("@/app/api/actions/preview/route");
    const before = (await lw.auditEntries()).length;
    const r = await callJson(POST, "/api/actions/preview", { as: lw.users.viewer, body: raise });
    expect(r.status).toBe(403);
    const added = (await lw.auditEntries()).slice(before);
    expect(added.filter((e) => e.event === "denied" && e.action === "POST /api/actions/preview")).toHaveLength(1);
  });

  it("lets a viewer list the actions, each with its role", async () => {
    const { GET } = await import("@/app/api/actions/route");
    const r = await callJson<{ actions: { name: string; role: string }[] }>(GET, "/api/actions", {
      as: lw.users.viewer,
    });
    expect(r.body.actions.find((a) => a.name === "container.set-pids-limit")?.role).toBe("operator");
    expect(r.body.actions.every((a) => a.role !== "viewer")).toBe(true);
  });
});

describe("error shape", () => {
  it("maps a typed error thrown by another copy of server/errors.ts (a client kept on globalThis) to its status", async () => {
    vi.resetModules();
    const other = await import("@/server/errors");
    expect(other.NotFoundError).not.toBe(NotFoundError);
    const route = apiRoute({ access: "public" }, async () => {
      throw new other.SourceUnavailableError("docker:local", "inspect timed out");
    });
    const res = await route(new Request(`http://127.0.0.1:3000/api/x`));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "source_unavailable", message: "docker:local is unavailable: inspect timed out" },
    });
    // A plain error stays an internal error, its message kept on the server.
    const plain = apiRoute({ access: "public" }, async () => {
      throw Object.assign(new Error("secret detail"), { code: "ECONNREFUSED" });
    });
    const r2 = await plain(new Request(`http://127.0.0.1:3000/api/x`));
    expect(r2.status).toBe(500);
    expect(JSON.stringify(await r2.json())).not.toContain("secret detail");
  });
});
