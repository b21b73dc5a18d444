import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEnvelope } from "./envelope";
import { taskMessage } from "./publish";
import { parseTaskMeta, TASK_META_PREFIX } from "./results";

// Metas captured from a real Celery 5.2 worker (fixtures/celery, tasks.fail) with and without result_extended.
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), "utf8").trim();

describe("parseTaskMeta on captured Celery 5.2 results", () => {
  it("reads a failure stored with result_extended: exception, traceback, name, args, worker, queue", () => {
    const raw = fixture("result-failure-extended");
    const id = (JSON.parse(raw) as { task_id: string }).task_id;
    const o = parseTaskMeta(`${TASK_META_PREFIX}${id}`, raw);
    expect(o).toMatchObject({
      taskId: id,
      status: "FAILURE",
      excType: "ValueError",
      excMessage: "leakwatch test failure x-1",
      excModule: "builtins",
      name: "tasks.fail",
      args: ["x-1"],
      kwargs: {},
      queue: "conversation",
      retries: 0,
    });
    expect(o!.worker).toMatch(/@/);
    expect(o!.traceback).toContain("ValueError: leakwatch test failure x-1");
    // date_done is naive UTC ISO: read as UTC.
    expect(new Date(o!.dateDoneMs!).toISOString().slice(0, 19)).toBe(
      (JSON.parse(raw) as { date_done: string }).date_done.slice(0, 19),
    );
  });

  it("reads a failure stored without result_extended: no name, arguments or queue", () => {
    const raw = fixture("result-failure-plain");
    const o = parseTaskMeta("celery-task-meta-x", raw);
    expect(o).toMatchObject({ status: "FAILURE", excType: "ValueError", name: null, args: null, queue: null });
    expect(o!.taskId).toBe((JSON.parse(raw) as { task_id: string }).task_id);
  });

  it("keeps only FAILURE, RETRY and REVOKED, and skips what is not Celery's JSON meta", () => {
    const meta = (status: string) => JSON.stringify({ status, result: 3, traceback: null, date_done: null });
    expect(parseTaskMeta("celery-task-meta-a", meta("SUCCESS"))).toBeNull();
    expect(parseTaskMeta("celery-task-meta-a", meta("PENDING"))).toBeNull();
    expect(parseTaskMeta("celery-task-meta-a", meta("REVOKED"))).toMatchObject({ taskId: "a", status: "REVOKED" });
    expect(parseTaskMeta("celery-task-meta-a", Buffer.from([0x80, 0x04, 0x95]))).toBeNull();
    expect(parseTaskMeta("celery-task-meta-a", "[1,2]")).toBeNull();
  });
});

describe("taskMessage", () => {
  it("builds a protocol 2 message that the console's own envelope parser reads back", () => {
    const m = taskMessage({
      name: "tasks.fail",
      args: ["m-1", 2],
      kwargs: { k: "v" },
      queue: "conversation",
      parentId: "p",
    });
    const parsed = parseEnvelope(m.raw, { withBody: true });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      protocol: 2,
      id: m.id,
      task: "tasks.fail",
      args: ["m-1", 2],
      kwargs: { k: "v" },
      routingKey: "conversation",
      exchange: "",
      deliveryTag: m.deliveryTag,
      parentId: "p",
      priority: 0,
      retries: 0,
    });
  });
});
