import "server-only";
import { emit, type Topic } from "@/server/bus";
import { processState } from "@/server/process-state";

// Latest snapshot per topic, in memory: pages and new SSE clients read this and never wait on a slow source.
const latest = () => processState("live", () => new Map<Topic, unknown>());

export function publish(topic: Topic, payload: unknown): void {
  latest().set(topic, payload);
  emit(topic, payload);
}

export function snapshot<T>(topic: Topic): T | undefined {
  return latest().get(topic) as T | undefined;
}

export function currentSnapshot(): [Topic, unknown][] {
  return [...latest().entries()];
}
