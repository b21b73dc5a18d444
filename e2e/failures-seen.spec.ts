import { expect, test } from "@playwright/test";
import { flushTestRedis, produce, startCeleryWorker, stopAllProcesses, testRedisUrl } from "../server/testing/harness";
import type { QueuesResponse } from "../server/schemas/api";
import { login } from "./support";

// A failure the result backend recorded WITHOUT result_extended is retried from the message the console saw in the
// queue before it ran: a failing task waits in a queue nobody consumes until the console's sampler has read it, then a
// worker (no result_extended) runs it; the Failures page offers Retry, says which message it comes from, and the
// retried task shows up as a failure of its own.

const BACKEND_DB = 3;
const marker = `seen${Date.now()}`;

test.beforeAll(async () => {
  await flushTestRedis([1, 2, BACKEND_DB]);
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2, BACKEND_DB]);
});

test("a failure without result_extended is retried from the message seen in its queue", async ({ page }) => {
  await login(page);
  await produce({ task: "tasks.fail", queue: "conversation", count: 1, priority: 6, markerPrefix: marker });
  // The sampler has read the queue's next message once a full pass reports its age (it writes what it saw first).
  await expect
    .poll(
      async () => {
        const r = await page.request.get("/api/queues");
        const body = (await r.json()) as QueuesResponse;
        return body.brokers[0]?.queues.find((q) => q.name === "conversation")?.oldestSeenSeconds ?? null;
      },
      { timeout: 30_000 },
    )
    .not.toBeNull();

  const worker = startCeleryWorker({
    queues: ["conversation"],
    hostname: "e2e-seen",
    pool: "threads",
    concurrency: 1,
    env: { RESULT_BACKEND: testRedisUrl(BACKEND_DB) },
  });
  await worker.waitReady();

  await page.goto("/failures?broker=default&task=tasks.fail");
  const item = page
    .getByTestId("failure-list")
    .locator("li[data-testid^='failure-']")
    .filter({ hasText: `leakwatch test failure ${marker}-0` });
  await expect(item).toHaveCount(1, { timeout: 60_000 });
  const taskId = (await item.getAttribute("data-testid"))!.replace(/^failure-/, "");
  await item.locator("summary").click();
  await expect(item.getByTestId("retry-source")).toContainText("from the message seen in queue conversation");
  await item.getByTestId(`retry-${taskId}`).click();

  const dialog = page.getByTestId("action-dialog");
  await expect(dialog.getByTestId("action-preview-body")).toContainText("from the message seen in queue conversation");
  await dialog.getByTestId("action-reason").fill("INC-14 retry from the seen message");
  await dialog.getByTestId("action-run").click();
  const result = dialog.getByTestId("action-result");
  await expect(result).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  const newId = /→ ([0-9a-f-]{36})/.exec((await result.textContent()) ?? "")?.[1];
  expect(newId).toBeTruthy();
  expect(newId).not.toBe(taskId);
  await page.keyboard.press("Escape");

  // The worker runs it again (it fails again with the same argument): listed by its new id.
  await expect(page.getByTestId(`failure-${newId}`)).toBeVisible({ timeout: 60_000 });
});
