import { expect, test } from "@playwright/test";
import {
  flushTestRedis,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  type WorkerHandle,
} from "../server/testing/harness";
import { login } from "./support";

// A burst of failing tasks on one queue (a real Celery 5.2 worker with a Redis result backend and result_extended,
// db 3 as playwright.config.ts gives the console) leads from the task-failures alert to the failure group, a
// traceback, and a retry whose new task shows up as a failure of its own.

const BACKEND_DB = 3;
const BURST = 12; // over the task-failures rule's default of 10 within 10 minutes
let worker: WorkerHandle;

test.beforeAll(async () => {
  await flushTestRedis([1, 2, BACKEND_DB]);
  worker = startCeleryWorker({
    queues: ["conversation"],
    hostname: "e2e-failing",
    pool: "threads",
    concurrency: 2,
    env: { RESULT_BACKEND: testRedisUrl(BACKEND_DB), RESULT_EXTENDED: "1" },
  });
  await worker.waitReady();
  await produce({ task: "tasks.fail", queue: "conversation", count: BURST, markerPrefix: `burst${Date.now()}` });
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2, BACKEND_DB]);
});

test("a failure burst leads from its alert to the group, a traceback and a retry", async ({ page }) => {
  await login(page);
  await page.goto("/alerts");
  const alert = page.locator('[data-testid="alert-group"][data-target="default/tasks.fail"]');
  await expect(alert).toContainText("Task failures over a window", { timeout: 90_000 });
  await alert.getByTestId("alert-target-link").click();
  await expect(page).toHaveURL(/\/failures\?broker=default&task=tasks.fail/);

  const row = page.getByTestId("failure-group").filter({ hasText: "tasks.fail" });
  await expect(row).toContainText("ValueError");
  await expect
    .poll(async () => Number((await row.locator("td").nth(2).textContent())?.replace(/\D/g, "")), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(BURST);

  const first = page.getByTestId("failure-list").locator("li[data-testid^='failure-']").first();
  const taskId = (await first.getAttribute("data-testid"))!.replace(/^failure-/, "");
  await first.locator("summary").click();
  await expect(first.getByTestId("traceback")).toContainText("ValueError: leakwatch test failure");
  await first.getByTestId(`retry-${taskId}`).click();

  const dialog = page.getByTestId("action-dialog");
  await expect(dialog.getByTestId("action-preview-body")).toContainText("tasks.fail");
  await dialog.getByTestId("action-reason").fill("INC-14 retry after the fix");
  await dialog.getByTestId("action-run").click();
  const result = dialog.getByTestId("action-result");
  await expect(result).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  const newId = /→ ([0-9a-f-]{36})/.exec((await result.textContent()) ?? "")?.[1];
  expect(newId).toBeTruthy();
  await page.keyboard.press("Escape");

  // The worker runs the new task (it fails again, with the same argument): it appears in the list by its new id.
  await expect(page.getByTestId(`failure-${newId}`)).toBeVisible({ timeout: 60_000 });
  await page.reload();
  const original = page.getByTestId(`failure-${taskId}`);
  await original.locator("summary").click();
  await expect(original.getByTestId("retried-as")).toContainText(newId!);
});
