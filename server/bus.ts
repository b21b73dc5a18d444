import "server-only";
import { EventEmitter } from "node:events";
import { processState } from "@/server/process-state";

// In-process event bus: samplers publish, the SSE route fans out to browsers.
// Topics are coarse ("containers", "queues", "sources", ...); payloads are the latest snapshot.

const bus = () =>
  processState("bus", () => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // one listener per open browser tab
    return emitter;
  });

export type Topic =
  | "containers"
  | "queues"
  | "workers"
  | "sources"
  | "events"
  | "audit"
  | "alerts"
  | "runbooks"
  | "progress"
  | "invalidate";

export function emit(topic: Topic, payload: unknown): void {
  bus().emit("message", topic, payload);
}

export function subscribe(listener: (topic: Topic, payload: unknown) => void): () => void {
  const b = bus();
  b.on("message", listener);
  return () => b.off("message", listener);
}
