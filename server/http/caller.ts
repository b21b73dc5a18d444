import "server-only";
import { getConfig } from "@/server/config";
import { readApiToken } from "@/server/auth/tokens";
import { readSession, SESSION_COOKIE, type SessionInfo } from "@/server/auth/sessions";
import { isRole } from "@/server/auth/roles";
import { isUsernameDisabled } from "@/server/auth/users";

// Who is calling: a session cookie, a Bearer token, or a trusted reverse proxy's user header.

const plainIp = (a: string) => a.trim().replace(/^::ffff:/, "");

/** The address of the connection's peer, stamped by scripts/server-entry.mjs from the socket. */
function peerIp(req: Request): string | null {
  const peer = req.headers.get("x-leakwatch-peer");
  return peer ? plainIp(peer) : null;
}

export function fromTrustedProxy(req: Request): boolean {
  const peer = peerIp(req);
  return peer !== null && getConfig().trustedProxies.includes(peer);
}

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy (LEAKWATCH_TRUSTED_PROXIES), the
 * nearest address in X-Forwarded-For that is not one of those proxies. X-Forwarded-For from anyone else is
 * ignored: Next passes a client-sent one through unchanged, so it proves nothing. Null when the console runs
 * without scripts/server-entry.mjs (next dev): then per-address throttling and proxy sign-in are off.
 */
export function clientIp(req: Request): string | null {
  const peer = peerIp(req);
  if (!peer || !fromTrustedProxy(req)) return peer;
  const trusted = getConfig().trustedProxies;
  const hops = (req.headers.get("x-forwarded-for") ?? "").split(",").map(plainIp).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.includes(hops[i]!)) return hops[i]!;
  return peer;
}

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A value that is not valid percent-encoding is no cookie of ours: no session, not a 500.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export async function resolveCaller(req: Request): Promise<SessionInfo | null> {
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return readApiToken(auth.slice(7).trim());

  const cfg = getConfig();
  if (cfg.proxyUserHeader && cfg.trustedProxies.length > 0) {
    const user = req.headers.get(cfg.proxyUserHeader);
    if (user && fromTrustedProxy(req)) {
      const role = cfg.proxyRoleHeader ? req.headers.get(cfg.proxyRoleHeader) : "viewer";
      if (isRole(role)) {
        // The proxy vouches for who it is, but an admin who disabled the console account of that name meant it.
        if (await isUsernameDisabled(user)) return null;
        return { userId: `proxy:${user}`, username: user, role, csrfToken: "", via: "proxy" };
      }
    }
  }

  const token = readCookie(req, SESSION_COOKIE);
  return token ? readSession(token) : null;
}

const isLoopbackName = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);

/** The host the client asked for: Host, or X-Forwarded-Host when a trusted proxy sent the request. */
function requestHost(req: Request): string | null {
  const forwarded = fromTrustedProxy(req) ? req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || req.headers.get("host");
}

/**
 * Same-origin check for state-changing requests. Origin must be present, not "null", and one of: the configured
 * public URL's origin (LEAKWATCH_PUBLIC_URL), a listed origin (LEAKWATCH_ALLOWED_ORIGINS), or a loopback name that
 * is also the host the request was sent to. Host alone proves nothing: a DNS-rebound name sends its own Host and a
 * matching Origin, so a name that is neither configured nor loopback is refused.
 */
export function originAllowed(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  const cfg = getConfig();
  if (o.origin === new URL(cfg.publicUrl).origin) return true;
  if (cfg.allowedOrigins.some((a) => a === origin || a === o.origin)) return true;
  return isLoopbackName(o.hostname) && requestHost(req) === o.host;
}
