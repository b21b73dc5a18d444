import "server-only";
import { EventEmitter } from "node:events";

// In-process event bus: samplers publish, the SSE route fans out to browsers.
// Topics are coarse ("containers", "queues", "sources", ...); payloads are the latest snapshot.

const g = globalThis as unknown as { __leakwatchBus?: EventEmitter };
const bus = (g.__leakwatchBus ??= Object.assign(new EventEmitter(), {}));
bus.setMaxListeners(0); // one listener per open browser tab

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
  bus.emit("message", topic, payload);
}

export function subscribe(listener: (topic: Topic, payload: unknown) => void): () => void {
  bus.on("message", listener);
  return () => bus.off("message", listener);
}
