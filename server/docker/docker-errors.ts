import "server-only";
import {
  AppError,
  ConflictError,
  NotFoundError,
  SourceUnavailableError,
  ValidationError,
  errorMessage,
} from "@/server/errors";

// Maps what dockerode/docker-modem throw to the console's typed errors, so callers see "docker:<host> is down"
// (SourceUnavailableError) apart from "no such container" (NotFoundError) and never a raw socket error.

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "EACCES",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ABORT_ERR",
  "ERR_SSH",
  "ECONNABORTED",
]);

interface ModemError {
  statusCode?: number;
  code?: string;
  name?: string;
  json?: { message?: string } | null;
  message?: string;
}

export function dockerSource(hostName: string): string {
  return `docker:${hostName}`;
}

/** `what` names the call for the message, e.g. "inspect 3f2a…". */
export function mapDockerError(hostName: string, what: string, e: unknown, timeoutMs?: number): AppError {
  if (e instanceof AppError) return e;
  const err = (typeof e === "object" && e !== null ? e : {}) as ModemError;
  const dockerMessage = (err.json && typeof err.json === "object" && err.json.message) || errorMessage(e);
  const status = err.statusCode;
  if (status === 404) return new NotFoundError(`${what}: ${dockerMessage.trim()}`);
  if (status === 409 || status === 304) return new ConflictError(`${what}: ${dockerMessage.trim()}`);
  if (status === 400) return new ValidationError(`${what}: ${dockerMessage.trim()}`);
  if (err.name === "AbortError" || err.name === "TimeoutError" || err.code === "ABORT_ERR") {
    return new SourceUnavailableError(
      dockerSource(hostName),
      `${what} timed out${timeoutMs ? ` after ${timeoutMs} ms` : ""}`,
    );
  }
  if (err.code && NETWORK_CODES.has(err.code)) {
    return new SourceUnavailableError(dockerSource(hostName), `${what}: ${err.code} ${errorMessage(e)}`.trim());
  }
  // 5xx and anything unexpected: the engine is not answering usefully, which the page shows as the source being down.
  return new SourceUnavailableError(dockerSource(hostName), `${what}: ${dockerMessage.trim()}`);
}
