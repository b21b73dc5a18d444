import "server-only";
import type { SessionInfo } from "@/server/auth/sessions";
import { subscribe } from "@/server/bus";
import { currentSnapshot } from "@/server/live";
import { resolveCaller } from "./caller";

// The live stream (server-sent events): the latest snapshots at connect, then every change the samplers publish.
// The caller is checked again every few seconds, so a stream never outlives a logout, an expired session, a disabled
// user or a revoked token: it says "session-ended" and closes.

const RECHECK_MS = 5_000;
const HEARTBEAT_MS = 15_000;

async function stillAllowed(req: Request, opened: SessionInfo): Promise<boolean> {
  const now = await resolveCaller(req).catch(() => null);
  return now !== null && now.userId === opened.userId && now.role === opened.role;
}

export function eventStream(req: Request, caller: SessionInfo): Response {
  const enc = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(enc.encode(text));
        } catch {
          stop();
        }
      };
      const send = (topic: string, payload: unknown) => write(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`);
      const unsubscribe = subscribe(send);
      const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      const recheck = setInterval(() => {
        void stillAllowed(req, caller).then((ok) => {
          if (ok || closed) return;
          send("session-ended", { reason: "signed out, expired or revoked" });
          stop();
        });
      }, RECHECK_MS);
      stop = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(recheck);
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      write("retry: 3000\n\n");
      for (const [topic, payload] of currentSnapshot()) send(topic, payload);
      req.signal.addEventListener("abort", () => stop());
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
