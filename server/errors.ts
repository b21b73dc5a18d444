// Typed errors, mapped to HTTP in one place (server/http/handle.ts). Safe for any server module to import.

export type ErrorCode =
  | "validation"
  | "unauthenticated"
  | "forbidden"
  | "csrf"
  | "not_found"
  | "conflict"
  | "source_unavailable"
  | "audit_unavailable"
  | "read_only"
  | "rate_limited"
  | "too_large"
  | "starting"
  | "internal";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super("validation", message, 400, details);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = "Sign in first.") {
    super("unauthenticated", message, 401);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "Your role does not allow this.") {
    super("forbidden", message, 403);
  }
}
export class CsrfError extends AppError {
  constructor(message = "Missing or wrong CSRF token or origin.") {
    super("csrf", message, 403);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) {
    super("not_found", message, 404);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super("conflict", message, 409, details);
  }
}
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message, 429);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super("too_large", `The request body is larger than this route accepts (${limitBytes} bytes).`, 413);
  }
}
export class ReadOnlyError extends AppError {
  constructor() {
    super("read_only", "The console is in read-only mode: actions are turned off.", 423);
  }
}
/** A message with absolute paths cut to their last part: error bodies and /api/health are public. */
export function withoutPaths(message: string): string {
  return message.replace(/(?:[A-Za-z]:)?[\\/][^\s'"`,;()]*[\\/]([^\s'"`,;()\\/]+)/g, "$1");
}
export class AuditUnavailableError extends AppError {
  /** The full reason, paths included, for the server log only. */
  readonly detail: string;
  constructor(detail: string) {
    super("audit_unavailable", `Refused: the audit log cannot record this action (${withoutPaths(detail)}).`, 503);
    this.detail = detail;
  }
}
/** The process answers but has not finished start-up (its store or first admin is not there yet). */
export class StartingError extends AppError {
  constructor(message: string) {
    super("starting", message, 503);
  }
}
/** A monitored source (a Docker endpoint, a Redis broker) is down or timed out. */
export class SourceUnavailableError extends AppError {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super("source_unavailable", `${source} is unavailable: ${message}`, 503);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
