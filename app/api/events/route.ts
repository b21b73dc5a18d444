import { subscribe } from "@/server/bus";
import { apiRoute } from "@/server/http/handle";
import { currentSnapshot } from "@/server/live";

export const dynamic = "force-dynamic";

// Server-sent events: the latest snapshots at connect, then every change the samplers publish.
export const GET = apiRoute({ access: "viewer" }, async ({ req }) => {
  const enc = new TextEncoder();
  let unsubscribe = () => {};
  let heartbeat: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (topic: string, payload: unknown) => {
        try {
          controller.enqueue(enc.encode(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`));
        } catch {
          close();
        }
      };
      const close = () => {
        unsubscribe();
        if (heartbeat) clearInterval(heartbeat);
        try { controller.close(); } catch { /* already closed */ }
      };
      controller.enqueue(enc.encode("retry: 3000\n\n"));
      for (const [topic, payload] of currentSnapshot()) send(topic, payload);
      unsubscribe = subscribe(send);
      heartbeat = setInterval(() => {
        try { controller.enqueue(enc.encode(": keep-alive\n\n")); } catch { close(); }
      }, 15_000);
      req.signal.addEventListener("abort", close);
    },
    cancel() {
      unsubscribe();
      if (heartbeat) clearInterval(heartbeat);
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
});
