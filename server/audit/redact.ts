import "server-only";
import { redactUrlsInText } from "@/server/celery/broker-url";

// Secrets never reach the audit file: values under secret-looking keys are replaced, at any depth.

const SECRET_KEY =
  /pass(word|wd|phrase)?|token|secret|authorization|cookie|api[-_]?key|private[-_]?key|credential|session/i;
export const REDACTED = "[redacted]";

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 32) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === "string") return redactUrlsInText(value);
  return value;
}
