import "server-only";
import { ZodError, type z } from "zod";
import { roleAllows, type Role } from "@/server/auth/roles";
import type { SessionInfo } from "@/server/auth/sessions";
import { safeEqual } from "@/server/auth/crypto";
import {
  AppError,
  CsrfError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
  type ErrorCode,
} from "@/server/errors";
import { log } from "@/server/log";
import { readBodyCapped } from "./body";
import { clientIp, originAllowed, resolveCaller } from "./caller";
import { recordDenied } from "./denied";

// The one wrapper every API route goes through: caller, role, CSRF on mutations, body parsing, error shape.
// Error bodies are always { error: { code, message } }; stacks and internal messages never leave the server.

type Access = "public" | Role;

export interface RouteContext<B, A extends Access = Access> {
  req: Request;
  params: Record<string, string>;
  /** Who is calling: always known on a protected route; a public route may have a session or not. */
  caller: A extends "public" ? SessionInfo | null : SessionInfo;
  ip: string | null;
  body: B;
}

interface RouteOptions<S extends z.ZodType | undefined, A extends Access> {
  /** "public" skips authentication; otherwise the least role allowed. */
  access: A;
  /** POST/PUT/PATCH/DELETE: enforce Origin and the session's CSRF token. */
  mutating?: boolean;
  body?: S;
  /** The largest body read before parsing (default 64 KiB); a larger one is refused with 413 unread. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

type Handler<B, A extends Access> = (ctx: RouteContext<B, A>) => Promise<unknown>;
type NextCtx = { params: Promise<Record<string, string | string[]>> };

const ERROR_CODES: Record<ErrorCode, true> = {
  validation: true,
  unauthenticated: true,
  forbidden: true,
  csrf: true,
  not_found: true,
  conflict: true,
  source_unavailable: true,
  audit_unavailable: true,
  read_only: true,
  rate_limited: true,
  too_large: true,
  starting: true,
  internal: true,
};

/** An AppError by class, or by shape: clients kept on globalThis (Docker, Redis) outlive a hot reload or live in
 * another route bundle, and throw errors built from another copy of server/errors.ts that `instanceof` misses. */
export function asAppError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (!(e instanceof Error)) return null;
  const { code, status } = e as Partial<AppError>;
  return typeof code === "string" && code in ERROR_CODES && typeof status === "number" && status >= 400 && status < 600
    ? (e as AppError)
    : null;
}

function errorResponse(e: unknown): Response {
  const app = asAppError(e);
  if (app?.code === "audit_unavailable")
    log.warn({ detail: (app as { detail?: string }).detail }, "refused: the audit log is unavailable");
  if (app) {
    const headers: Record<string, string> = {};
    if (app.code === "rate_limited" && "retryAfterSeconds" in app)
      headers["retry-after"] = String((app as { retryAfterSeconds: number }).retryAfterSeconds);
    if (app.code === "starting") headers["retry-after"] = "5";
    return Response.json({ error: { code: app.code, message: app.message } }, { status: app.status, headers });
  }
  if (e instanceof ZodError) {
    const message = e.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
      .join("; ");
    return Response.json({ error: { code: "validation", message } }, { status: 400 });
  }
  log.error({ err: e }, "unhandled error in API route");
  return Response.json(
    { error: { code: "internal", message: "Internal error; see the server log." } },
    { status: 500 },
  );
}

export function apiRoute<A extends Access, S extends z.ZodType | undefined = undefined>(
  opts: RouteOptions<S, A>,
  handler: Handler<S extends z.ZodType ? z.infer<S> : undefined, A>,
) {
  return async (req: Request, nextCtx?: NextCtx): Promise<Response> => {
    const ip = clientIp(req);
    let caller: SessionInfo | null = null;
    let denialRecorded = false;
    try {
      const raw = (nextCtx ? await nextCtx.params : undefined) ?? {};
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) params[k] = Array.isArray(v) ? v.join("/") : v;

      if (opts.access !== "public") {
        caller = await resolveCaller(req);
        if (!caller) throw new UnauthenticatedError();
        if (!roleAllows(caller.role, opts.access)) {
          denialRecorded = true;
          await recordDenied(caller, ip, req, `needs role ${opts.access}`);
          throw new ForbiddenError(`This needs the ${opts.access} role; you are ${caller.role}.`);
        }
      }
      // A Bearer token is never attached by a browser on its own, and a cross-site page can't add an
      // Authorization header without a CORS preflight (which we never allow): scripts send no Origin, so
      // token callers skip the Origin check. Proxy callers keep it: the proxy authenticates browsers by cookie.
      if (opts.mutating && caller?.via !== "token") {
        if (!originAllowed(req)) throw new CsrfError("Cross-origin or origin-less request refused.");
        if (caller?.via === "session") {
          const sent = req.headers.get("x-csrf-token") ?? "";
          if (!sent || !safeEqual(sent, caller.csrfToken)) throw new CsrfError("Missing or wrong CSRF token.");
        }
      }
      let body: unknown = undefined;
      if (opts.body) {
        const text = await readBodyCapped(req, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new ValidationError("The request body is not valid JSON.");
        }
        body = opts.body.parse(json);
      }
      // caller is non-null here unless the route is public (resolveCaller threw otherwise).
      const out = await handler({
        req,
        params,
        caller: caller as RouteContext<never, A>["caller"],
        ip,
        body: body as never,
      });
      return out instanceof Response ? out : Response.json(out);
    } catch (e) {
      // Denials from inside a handler (runAction's per-action role check) are audited too, once.
      const app = asAppError(e);
      if (app && (app.code === "forbidden" || app.code === "csrf") && caller && !denialRecorded)
        await recordDenied(caller, ip, req, app.message);
      return errorResponse(e);
    }
  };
}
