import { apiRoute } from "@/server/http/handle";
import { eventStream } from "@/server/http/event-stream";

export const dynamic = "force-dynamic";

// Server-sent events; the stream closes when the caller's session or token ends (server/http/event-stream.ts).
export const GET = apiRoute({ access: "viewer" }, async ({ req, caller }) => eventStream(req, caller));
