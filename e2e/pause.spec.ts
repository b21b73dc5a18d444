import { expect, test } from "@playwright/test";
import {
  flushTestRedis,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  type WorkerHandle,
} from "../server/testing/harness";
import { login } from "./support";

// Pause and resume a queue (issue 13) as an operator does it: the queue page's Pause button and dialog, the paused
// banner on the queue page, the badge in the queue list, the paused line on the workers page, then Resume, and the
// messages produced during the pause drain. A real Celery 5.2 worker consumes the queue.

const QUEUE = "e2e_pause";
let worker: WorkerHandle;

test.beforeAll(async () => {
  await flushTestRedis([1, 2]);
  worker = startCeleryWorker({ queues: [QUEUE], hostname: "e2e-pause", pool: "threads", concurrency: 2 });
  await worker.waitReady();
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2]);
});

test("an operator pauses a queue, sees it paused on the queue, queues and workers pages, and resumes it", async ({
  page,
}) => {
  await login(page);
  await page.goto(`/queues/default/${QUEUE}`);
  await expect(page.getByTestId("consumers")).toContainText("e2e-pause@", { timeout: 30_000 });

  await page.getByTestId("pause-queue").click();
  const dialog = page.getByTestId("action-dialog");
  // The preview names the worker that will stop and what it consumes now.
  await expect(dialog.getByTestId("action-preview-body")).toContainText("e2e-pause@");
  await expect(dialog.getByTestId("action-preview-body")).toContainText(QUEUE);
  await dialog.getByTestId("action-reason").fill("INC-77 failing dependency");
  await dialog.getByTestId("action-run").click();
  await expect(dialog.getByTestId("action-result")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await page.keyboard.press("Escape");

  const banner = page.getByTestId("paused-banner");
  await expect(banner).toContainText("Paused by admin");
  await expect(banner).toContainText("INC-77 failing dependency");
  await expect(banner).toContainText("e2e-pause@");

  // Produced while paused: they wait.
  await produce({ queue: QUEUE, count: 5, task: "tasks.send_mail" });
  await expect(page.getByTestId(`queue-depth-${QUEUE}`)).toHaveText("5", { timeout: 30_000 });

  await page.goto("/queues");
  await expect(page.getByTestId(`paused-${QUEUE}`)).toContainText("paused by admin");

  await page.goto("/workers");
  const line = page.getByTestId(`paused-queue-${QUEUE}`);
  await expect(line).toContainText("paused by admin");
  await expect(line).toContainText("e2e-pause@");
  await expect(page.getByTestId(`consumers-paused-${QUEUE}`)).toContainText("paused by admin");

  await page.goto(`/queues/default/${QUEUE}`);
  await page.getByTestId("resume-queue").click();
  await dialog.getByTestId("action-preview").click();
  await expect(dialog.getByTestId("action-preview-body")).toContainText("e2e-pause@");
  await dialog.getByTestId("action-reason").fill("INC-77 dependency back");
  await dialog.getByTestId("action-run").click();
  await expect(dialog.getByTestId("action-result")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await page.keyboard.press("Escape");

  await expect(page.getByTestId("paused-banner")).toHaveCount(0);
  await expect(page.getByTestId(`queue-depth-${QUEUE}`)).toHaveText("0", { timeout: 30_000 });
  await expect(page.getByTestId("consumers")).toContainText("e2e-pause@", { timeout: 30_000 });
});
