import { NextResponse, type NextRequest } from "next/server";

// Two jobs before Next routes a request:
// - API paths: Next decodes route parameters itself and answers a bare 500 when a path is not valid percent-encoded
//   UTF-8 (a hand-typed %ff in a queue name). Refuse such a path here with the API's one error shape instead.
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

export function proxy(req: NextRequest): NextResponse {
  if (req.nextUrl.pathname.startsWith("/api/")) {
    try {
      decodeURIComponent(req.nextUrl.pathname);
      return NextResponse.next();
    } catch {
      return NextResponse.json(
        {
          error: {
            code: "validation",
            message:
              "The path is not valid percent-encoded UTF-8: encode names with encodeURIComponent (queue names that are not UTF-8 are written \uFFFDb64:<base64>).",
          },
        },
        { status: 400 },
      );
    }
  }
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
