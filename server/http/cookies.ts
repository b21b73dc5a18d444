import "server-only";
import { fromTrustedProxy } from "./caller";

// Session cookies: HttpOnly, SameSite=Strict, Secure when the request came over https (X-Forwarded-Proto counts only
// from a trusted proxy).
function isHttps(req: Request): boolean {
  const forwarded = fromTrustedProxy(req) ? req.headers.get("x-forwarded-proto") : null;
  return (forwarded ?? new URL(req.url).protocol.replace(":", "")) === "https";
}

export function sessionCookie(req: Request, name: string, value: string, expiresAt: number): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Expires=${new Date(expiresAt).toUTCString()}`,
  ];
  if (isHttps(req)) parts.push("Secure");
  return parts.join("; ");
}

export function clearCookie(req: Request, name: string): string {
  return sessionCookie(req, name, "", 0);
}
