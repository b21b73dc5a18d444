// test-only: an in-process console for the action and access tests. Sets a test config, opens the database and
// the audit log the way server/runtime.ts does, creates one user (and session) per role, and calls the exported
// route handlers with browser-like requests. No HTTP server: the handlers are plain functions.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseConfig, setConfigForTests } from "@/server/config";
import { resetProcessState } from "@/server/process-state";
import { closeAllBrokers } from "@/server/celery/connections";
import { closeDb, getDb } from "@/server/db";
import { stopAll } from "@/server/scheduler";
import { dbHeadStore } from "@/server/audit/db-head-store";
import { AUDIT_FILE_NAME, openAuditLog, setAuditLog, type AuditLog } from "@/server/audit/audit-log";
import type { AuditEntry } from "@/server/audit/types";
import { instanceId } from "@/server/instance";
import { serverKey } from "@/server/secret";
import { createSession } from "@/server/auth/sessions";
import { createUser } from "@/server/auth/users";
import type { Role } from "@/server/auth/roles";
import { closeKeptFiles } from "@/server/docker/kept-files";

export const ORIGIN = "http://127.0.0.1:3000";
export const HOST = "127.0.0.1:3000";

export interface TestUser {
  username: string;
  role: Role;
  token: string;
  csrfToken: string;
}

export interface TestConsole {
  dataDir: string;
  env: Record<string, string>;
  auditFile: string;
  audit: AuditLog;
  users: Record<Role, TestUser>;
  /** Another session for `role` (e.g. one a logout may end). */
  newSession(role: Role): Promise<TestUser>;
  /** Swaps the config (same data dir), e.g. to turn read-only mode on. */
  reconfigure(extraEnv: Record<string, string>): void;
  auditEntries(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

// Process state outlives a test file in vitest's single fork: reset all of it so every file starts clean. A
// snapshot or a source state left by an earlier file once answered for a runtime that had not sampled yet (a broker
// shown up with 16 queues, then down with none); clients built by an earlier file's modules would throw that file's
// error classes. Timers and sockets are let go of first, so forgetting their handles leaks none (close the database
// before, it is asynchronous).
export function resetGlobals(): void {
  stopAll();
  closeAllBrokers();
  closeKeptFiles();
  resetProcessState();
}

export async function startConsole(env: Record<string, string> = {}): Promise<TestConsole> {
  await closeDb();
  resetGlobals();
  const dataDir = await mkdtemp(path.join(tmpdir(), "lw-act-"));
  const fullEnv: Record<string, string> = { LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_LOG_LEVEL: "warn", ...env };
  setConfigForTests(parseConfig(fullEnv));
  await getDb();
  // As server/runtime.ts openAudit does.
  const audit = await openAuditLog({
    dir: path.join(dataDir, "audit"),
    key: serverKey(),
    headStore: dbHeadStore(instanceId()),
    instance: instanceId(),
  });
  setAuditLog(audit);

  let n = 0;
  const newSession = async (role: Role): Promise<TestUser> => {
    const username = `${role}-${++n}`;
    const user = await createUser({ username, password: `correct horse ${role} battery`, role });
    const s = await createSession(user.id, "127.0.0.1");
    return { username, role, token: s.token, csrfToken: s.csrfToken };
  };
  const users = {
    viewer: await newSession("viewer"),
    operator: await newSession("operator"),
    admin: await newSession("admin"),
  };
  const auditFile = path.join(dataDir, "audit", AUDIT_FILE_NAME);

  return {
    dataDir,
    env: fullEnv,
    auditFile,
    audit,
    users,
    newSession,
    reconfigure(extraEnv) {
      // Descriptors kept open under the old cgroup root would keep reading it (and keep its mount busy).
      closeKeptFiles();
      setConfigForTests(parseConfig({ ...fullEnv, ...extraEnv }));
    },
    async auditEntries() {
      const text = await readFile(auditFile, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEntry);
    },
    async close() {
      await audit.close().catch(() => undefined);
      setAuditLog(null);
      closeAllBrokers();
      await closeDb();
      resetGlobals();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// --- requests --------------------------------------------------------------------------------------

type RouteHandler = (req: Request, ctx?: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface CallOptions {
  method?: string;
  /** Session user; null = anonymous. */
  as?: TestUser | null;
  /** Bearer API token instead of a session. */
  bearer?: string;
  /** undefined = our own origin; null = no Origin header; a string = that Origin header. */
  origin?: string | null;
  /** undefined = the session's token; null = none; a string = that token. */
  csrf?: string | null;
  body?: unknown;
  params?: Record<string, string>;
  query?: string;
}

export async function call(handler: RouteHandler, urlPath: string, o: CallOptions = {}): Promise<Response> {
  const method = o.method ?? (o.body === undefined ? "GET" : "POST");
  const headers: Record<string, string> = { host: HOST };
  if (o.origin !== null) headers.origin = o.origin ?? ORIGIN;
  if (o.as) {
    headers.cookie = `lw_session=${encodeURIComponent(o.as.token)}`;
    const csrf = o.csrf === undefined ? o.as.csrfToken : o.csrf;
    if (csrf !== null) headers["x-csrf-token"] = csrf;
  } else if (typeof o.csrf === "string") {
    headers["x-csrf-token"] = o.csrf;
  }
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    headers["content-type"] = "application/json";
    body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
  }
  const req = new Request(`${ORIGIN}${urlPath}${o.query ? `?${o.query}` : ""}`, { method, headers, body });
  return handler(req, { params: Promise.resolve(o.params ?? {}) });
}

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Calls and reads the JSON body (or the error shape). */
export async function callJson<T = Record<string, unknown>>(
  handler: RouteHandler,
  urlPath: string,
  o: CallOptions = {},
): Promise<ApiResult<T>> {
  const res = await call(handler, urlPath, o);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body: body as T };
}

export interface ActionBody {
  action: string;
  target: Record<string, unknown>;
  params?: Record<string, unknown>;
  reason?: string;
  confirm?: string;
}

export interface ActionResponse {
  auditId?: string;
  status?: string;
  result?: string | null;
  verify?: { ok: boolean; finding: string; observed?: unknown } | null;
  error?: { code: string; message: string } | string | null;
}

export interface PreviewResponse {
  summary?: string;
  warnings?: string[];
  blockers?: string[];
  changes?: unknown[];
  targets?: string[];
  error?: { code: string; message: string };
}

export async function postAction(user: TestUser, body: ActionBody): Promise<ApiResult<ActionResponse>> {
  const { POST } = await import("@/app/api/actions/route");
  return callJson<ActionResponse>(POST, "/api/actions", { as: user, body });
}

export async function previewAction(user: TestUser, body: ActionBody): Promise<ApiResult<PreviewResponse>> {
  const { POST } = await import("@/app/api/actions/preview/route");
  return callJson<PreviewResponse>(POST, "/api/actions/preview", { as: user, body });
}

/** The error code of an error response, for readable assertions. */
export function errorCode(r: ApiResult<unknown>): string | undefined {
  const e = (r.body as { error?: { code?: string } } | null)?.error;
  return typeof e === "object" && e !== null ? e.code : undefined;
}

export function errorMessageOf(r: ApiResult<unknown>): string {
  const e = (r.body as { error?: { message?: string } } | null)?.error;
  return typeof e === "object" && e !== null ? String(e.message ?? "") : "";
}
