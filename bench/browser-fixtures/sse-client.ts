// A minimal server-sent-events reader over Node's fetch: the same bytes a browser's EventSource reads from
// /api/events, parsed into (topic, data) frames and stamped with their arrival time.

export interface SseFrame {
  topic: string;
  data: string;
  arrivedAtMs: number;
}

/** Reads frames until `signal` aborts or the server ends the stream; resolves with how it ended. */
export async function readSse(
  url: string,
  cookie: string,
  signal: AbortSignal,
  onFrame: (f: SseFrame) => void,
): Promise<"aborted" | "ended"> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { cookie, accept: "text/event-stream" }, signal });
  } catch (e) {
    if (signal.aborted) return "aborted";
    throw e;
  }
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const arrivedAtMs = Date.now();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let topic = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) topic = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length > 0) onFrame({ topic, data: data.join("\n"), arrivedAtMs });
      }
    }
  } catch (e) {
    if (signal.aborted) return "aborted";
    throw e;
  }
  return signal.aborted ? "aborted" : "ended";
}
