import { describe, expect, it } from "vitest";
import type { TaskFailuresTable } from "@/server/db/schema";
import { toRow } from "./view";

const row = (over: Partial<TaskFailuresTable>): TaskFailuresTable => ({
  broker: "default",
  task_id: "t1",
  status: "FAILURE",
  task_name: "tasks.sync",
  exc_type: "ConnectionError",
  exc_message: null,
  exc_module: "redis.exceptions",
  traceback: null,
  worker: "w@h",
  queue: "dataset",
  args: null,
  kwargs: null,
  retries: 0,
  date_done: 1,
  first_seen: 1,
  last_seen: 1,
  retried_as: null,
  retried_at: null,
  retried_by: null,
  ...over,
});

describe("a failure's text on the page", () => {
  it("hides the password of a connection URL the task's error quoted", () => {
    const r = toRow(row({ exc_message: "Error connecting to redis://:s3cr3t-pw@10.0.0.5:6379/1: refused" }), false);
    expect(r.excMessage).not.toContain("s3cr3t-pw");
    expect(r.excMessage).toContain("10.0.0.5:6379");
  });
  it("keeps text without URLs as it was", () => {
    expect(toRow(row({ exc_message: "leakwatch test failure" }), false).excMessage).toBe("leakwatch test failure");
  });
});

describe("whether a failure can be retried, and from what", () => {
  const plain = { task_name: null, queue: null, args: null, kwargs: null };
  it("retries from result_extended when the backend recorded name, arguments and queue", () => {
    const r = toRow(row({ args: "[1]", kwargs: "{}" }), false);
    expect(r.retryBlocker).toBeNull();
    expect(r.retrySource).toEqual({ kind: "result_extended" });
  });
  it("retries from the message seen in the queue when the backend did not record them", () => {
    const r = toRow(row(plain), false, { taskName: "tasks.sync", queue: "dataset", seenAt: 5 });
    expect(r.retryBlocker).toBeNull();
    expect(r.retrySource).toEqual({ kind: "seen", queue: "dataset", seenAt: 5 });
    expect(r.taskName).toBe("tasks.sync");
    expect(r.queue).toBe("dataset");
  });
  it("explains both ways when neither exists", () => {
    const r = toRow(row(plain), false);
    expect(r.retrySource).toBeNull();
    expect(r.retryBlocker).toContain("task name, arguments, queue");
    expect(r.retryBlocker).toContain("result_extended = True");
    expect(r.retryBlocker).toContain("never saw this one");
    expect(r.taskName).toBeNull();
  });
});
