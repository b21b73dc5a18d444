import { describe, expect, it } from "vitest";
import type { WorkerSummary } from "@/server/schemas/queues";
import { mappedQueues, workersInContainer } from "./queue-map";

const worker = (hostname: string, queues: string[]): WorkerSummary => ({
  broker: "default",
  hostname,
  alive: true,
  lastSeen: 0,
  pool: "threads",
  concurrency: 2,
  processes: [],
  autoscale: null,
  queues,
  active: 0,
  reserved: 0,
  scheduled: 0,
  via: "ping",
});
const c = {
  id: "ba1b85692023be06c561a793bd01d89ea54094f4f972c07815cecf9e24360676",
  name: "dify-worker-1",
  labels: {} as Record<string, string>,
};

describe("queue mapping", () => {
  it("finds Celery workers by the container's short id or name as their host part", () => {
    const ws = [
      worker("celery@ba1b85692023", ["dataset", "mail"]),
      worker("w@dify-worker-1", ["workflow"]),
      worker("celery@otherhost", ["x"]),
    ];
    expect(workersInContainer(c, ws).map((w) => w.hostname)).toEqual(["celery@ba1b85692023", "w@dify-worker-1"]);
    expect(mappedQueues(c, ws, "default").map((q) => `${q.queue} <- ${q.via}`)).toEqual([
      "dataset <- worker celery@ba1b85692023",
      "mail <- worker celery@ba1b85692023",
      "workflow <- worker w@dify-worker-1",
    ]);
  });
  it("takes queues from the leakwatch.queues label, with or without a broker", () => {
    const labelled = { ...c, labels: { "leakwatch.queues": "dataset, other/pipeline" } };
    expect(mappedQueues(labelled, [], "default")).toEqual([
      { broker: "default", queue: "dataset", via: "label leakwatch.queues" },
      { broker: "other", queue: "pipeline", via: "label leakwatch.queues" },
    ]);
  });
});
