import { expect, test } from "@playwright/test";
import {
  flushTestRedis,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  type WorkerHandle,
} from "../server/testing/harness";
import { login } from "./support";

// Task timings on the queue page: a worker that sends no task events is called out with the action that turns them
// on; after it, tasks that sleep 0.3 s show up with their runtime percentiles.
let worker: WorkerHandle;

test.beforeAll(async () => {
  await flushTestRedis([1, 2]);
  // prefork: with the threads pool Celery 5.2 drops a task event now and then (see README, Task timings).
  worker = startCeleryWorker({ queues: ["workflow"], hostname: "e2e-events", pool: "prefork", concurrency: 2 });
  await worker.waitReady();
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2]);
});

test("a queue whose worker sends no task events says so, and the action turns them on", async ({ page }) => {
  await login(page);
  await page.goto("/queues/default/workflow");
  const panel = page.getByTestId("task-timings");
  await expect(panel.getByTestId("events-notice")).toContainText("No task events seen", { timeout: 30_000 });

  await panel.getByTestId(/^enable-events-e2e-events@/).click({ timeout: 30_000 });
  const dialog = page.getByTestId("action-dialog");
  // No fields to fill: the dialog previews at once.
  await expect(dialog.getByTestId("action-preview-body")).toContainText("PUBLISHes 3 event messages per task");
  await dialog.getByTestId("action-reason").fill("INC-14 see where the time goes");
  await dialog.getByTestId("action-run").click();
  await expect(dialog.getByTestId("action-result")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(dialog.getByTestId("action-verify")).toContainText("sends task events");
  await page.keyboard.press("Escape");

  await produce({ queue: "workflow", task: "tasks.slow", slowSeconds: 0.3, count: 3 });
  const runtime = panel.getByTestId("runtime-tasks.slow");
  await expect(runtime).toBeVisible({ timeout: 60_000 });
  // p50 · p95 · p99 of three 0.3 s tasks: each within one histogram bucket (~9 %) of 0.3 s plus Celery's overhead.
  await expect(runtime).toHaveText(/^(2[7-9]\d|3\d\d) ms · (2[7-9]\d|3\d\d) ms · (2[7-9]\d|3\d\d) ms$/);
  await expect(panel.getByTestId("events-notice")).toContainText("Last task event");
  await expect(panel.getByTestId("task-row-tasks.slow")).toContainText("3 / 0 / 0");
});
