// An API session for the benches: the session cookie from the real login route (same-origin header included,
// as a browser would send it), and JSON reads with it.

export interface ApiSession {
  baseUrl: string;
  cookie: string;
  csrfToken: string;
}

export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username} failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (!cookie) throw new Error("login answered without a session cookie");
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { baseUrl, cookie, csrfToken };
}

export async function getJson<T>(s: ApiSession, pathname: string): Promise<T> {
  const res = await fetch(`${s.baseUrl}${pathname}`, { headers: { cookie: s.cookie } });
  if (!res.ok) throw new Error(`GET ${pathname}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
