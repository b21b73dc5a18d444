import { NextResponse, type NextRequest } from "next/server";

// Two jobs before Next routes a request:
// - Any path: Next decodes route parameters itself and answers a bare 500 when a path is not valid percent-encoded
//   UTF-8 (a hand-typed %ff in a queue name). Refuse such a path here: the API's one error shape, or a small page.
// - Pages: a Content-Security-Policy with a fresh nonce per request. Next reads the nonce from the request's CSP
//   header and puts it on its own scripts (every page is rendered per request: the root layout reads cookies), so
//   only scripts the console served itself run, even if some text ever slipped past React's escaping.

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes (bar widths, chart sizes); no script can run from a style.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const BAD_PATH =
  "The path is not valid percent-encoded UTF-8: encode names with encodeURIComponent (queue names that are not UTF-8 are written \uFFFDb64:<base64>).";

function decodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export function proxy(req: NextRequest): NextResponse {
  const api = req.nextUrl.pathname.startsWith("/api/");
  if (!decodable(req.nextUrl.pathname)) {
    if (api) return NextResponse.json({ error: { code: "validation", message: BAD_PATH } }, { status: 400 });
    // A page gets the same refusal as a small page of its own (the path is not echoed back), not a bare 500.
    return new NextResponse(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad address · Leakwatch</title></head><body><h1>Bad address</h1><p>${BAD_PATH}</p><p><a href="/">Back to the overview</a></p></body></html>`,
      {
        status: 400,
        headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'" },
      },
    );
  }
  if (api) return NextResponse.next();
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  matcher: [
    "/api/:path*",
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|metrics).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
