import "server-only";
import { ValidationError } from "@/server/errors";

// Parses the broker URLs Celery/kombu accept for Redis (redis://, rediss://, and kombu's
// `sentinel://...;sentinel://...` list) into connection parameters, and redacts them for display.

export interface HostPort {
  host: string;
  port: number;
}

interface Common {
  db: number;
  username: string | null;
  password: string | null;
}

/** Celery's TLS query parameters of a redis:// or rediss:// URL (ssl_cert_reqs, ssl_ca_certs, ssl_certfile, ssl_keyfile). */
export interface UrlTls {
  certReqs?: "required" | "optional" | "none";
  caCerts?: string;
  certfile?: string;
  keyfile?: string;
}

export type ParsedBrokerUrl =
  | (Common & { kind: "redis"; tls: boolean; host: string; port: number; tlsParams: UrlTls })
  | (Common & { kind: "sentinel"; sentinels: HostPort[]; masterName: string | null });

const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;

function bad(url: string, why: string): ValidationError {
  return new ValidationError(`Broker URL ${redactBrokerUrl(url)}: ${why}`);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** kombu takes the virtual host (the path) as the db number; "" and "/" mean db 0. */
function parseDb(url: string, pathname: string): number {
  const raw = pathname.replace(/^\//, "");
  if (raw === "") return 0;
  if (!/^\d+$/.test(raw)) throw bad(url, `database "${raw}" is not a number`);
  return Number(raw);
}

function parseOne(url: string, raw: string, defaultPort: number) {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad(url, "not a valid URL");
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const port = u.port === "" ? defaultPort : Number(u.port);
  return {
    scheme: u.protocol.replace(/:$/, ""),
    host,
    port,
    db: parseDb(url, u.pathname),
    username: u.username ? decode(u.username) : null,
    password: u.password ? decode(u.password) : null,
    params: u.searchParams,
  };
}

/**
 * Parses a broker URL. `masterName` (from BrokerConfig) wins over `?master_name=` in the URL, as
 * Celery takes it from broker_transport_options.
 */
export function parseBrokerUrl(url: string, masterName?: string): ParsedBrokerUrl {
  const trimmed = url.trim();
  if (/^sentinel:\/\//i.test(trimmed)) {
    const parts = trimmed
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
    const parsed = parts.map((p) => {
      if (!/^sentinel:\/\//i.test(p))
        throw bad(url, `"${p.split("@").pop()}" in a sentinel list must also be sentinel://`);
      return parseOne(url, p, SENTINEL_PORT);
    });
    const first = parsed[0];
    if (!first) throw bad(url, "no sentinel given");
    // kombu reads credentials and db from the first URL of the list; the rest only add sentinels.
    const fromQuery = parsed.map((p) => p.params.get("master_name")).find((m) => m) ?? null;
    return {
      kind: "sentinel",
      sentinels: parsed.map((p) => ({ host: p.host, port: p.port })),
      db: first.db,
      username: first.username,
      password: first.password,
      masterName: masterName ?? fromQuery,
    };
  }
  if (!/^rediss?:\/\//i.test(trimmed)) throw bad(url, "expected redis://, rediss:// or sentinel://");
  const one = parseOne(url, trimmed, REDIS_PORT);
  const tlsParams: UrlTls = {};
  const reqs = one.params.get("ssl_cert_reqs");
  if (reqs !== null) {
    const v = reqs
      .trim()
      .toLowerCase()
      .replace(/^(ssl\.)?cert_/, "");
    if (v !== "required" && v !== "optional" && v !== "none")
      throw bad(url, `ssl_cert_reqs "${reqs}" is not required, optional or none`);
    tlsParams.certReqs = v;
  }
  for (const [param, field] of [
    ["ssl_ca_certs", "caCerts"],
    ["ssl_certfile", "certfile"],
    ["ssl_keyfile", "keyfile"],
  ] as const) {
    const v = one.params.get(param);
    if (v) tlsParams[field] = v;
  }
  // kombu's parse_url moves every ssl_* query parameter into the connection's `ssl` options, and any `ssl` options
  // make the Redis transport connect with TLS (Channel._connparams), so a redis:// URL with them is TLS too.
  const tls = one.scheme.toLowerCase() === "rediss" || [...one.params.keys()].some((k) => k.startsWith("ssl_"));
  return {
    tlsParams,
    kind: "redis",
    tls,
    host: one.host,
    port: one.port,
    db: one.db,
    username: one.username,
    password: one.password,
  };
}

/** The URL with every password replaced by "***", safe for logs and the UI. Never throws. */
export function redactBrokerUrl(url: string): string {
  // Works on the raw text so even an unparsable URL never leaks its secret. The credentials end at
  // the part's last "@", not the authority's: an unencoded "@", "/", "?" or "#" pasted inside a
  // password must not reveal any of it (a "@" later in a query only hides more than needed).
  // Only kombu's sentinel lists are ";"-separated, and only a ";" that starts the next sentinel:// URL splits
  // them: in any other place a ";" belongs to the password.
  const parts = /^\s*sentinel:\/\//i.test(url) ? url.split(/;(?=\s*sentinel:\/\/)/i) : [url];
  return parts
    .map((part) => {
      const m = /^(\s*[a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(part);
      if (!m) return part;
      const [, scheme, afterScheme = ""] = m;
      const at = afterScheme.lastIndexOf("@");
      if (at < 0) return part;
      const creds = afterScheme.slice(0, at);
      const colon = creds.indexOf(":");
      // Only a plain user name is kept; anything odd before the colon is hidden with the password.
      const user = colon < 0 || /[/?#@]/.test(creds.slice(0, colon)) ? "" : creds.slice(0, colon);
      // "redis://secret@host" is how some clients pass a bare password: hide it too.
      return `${scheme}${user}:***@${afterScheme.slice(at + 1)}`;
    })
    .join(";");
}

/**
 * Every URL inside free text (an error message, a reason, an action parameter) redacted as above. A URL runs
 * to the next whitespace or quote, so a password holding "@", ":", "/" or ";" is hidden whole.
 */
export function redactUrlsInText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (url) => redactBrokerUrl(url));
}

/** "host:port/db" for humans (no credentials). */
export function describeBroker(parsed: ParsedBrokerUrl): string {
  if (parsed.kind === "redis") return `${parsed.tls ? "rediss" : "redis"}://${parsed.host}:${parsed.port}/${parsed.db}`;
  const list = parsed.sentinels.map((s) => `${s.host}:${s.port}`).join(",");
  return `sentinel(${parsed.masterName ?? "?"})@${list}/${parsed.db}`;
}
