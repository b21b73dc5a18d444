import { NextResponse, type NextRequest } from "next/server";

// Next decodes route parameters itself and answers a bare 500 when a path is not valid percent-encoded UTF-8
// (a hand-typed %ff in a queue name). Refuse such a path here with the API's one error shape instead.
export function proxy(req: NextRequest): NextResponse {
  try {
    decodeURIComponent(req.nextUrl.pathname);
    return NextResponse.next();
  } catch {
    return NextResponse.json(
      { error: { code: "validation", message: "The path is not valid percent-encoded UTF-8: encode names with encodeURIComponent (queue names that are not UTF-8 are written \uFFFDb64:<base64>)." } },
      { status: 400 },
    );
  }
}

export const config = { matcher: "/api/:path*" };
