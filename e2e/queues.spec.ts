import { expect, test } from "@playwright/test";
import {
  flushTestRedis,
  startCeleryWorker,
  startProducer,
  stopAllProcesses,
  type ProcessHandle,
  type WorkerHandle,
} from "../server/testing/harness";
import { login } from "./support";

const DIFY = [
  "priority_dataset",
  "priority_pipeline",
  "dataset",
  "pipeline",
  "mail",
  "ops_trace",
  "app_deletion",
  "plugin",
  "workflow_storage",
  "conversation",
  "workflow",
  "schedule_poller",
  "schedule_executor",
  "triggered_workflow_dispatcher",
  "trigger_refresh_executor",
  "retention",
];

let producer: ProcessHandle;
let worker: WorkerHandle;

test.beforeAll(async () => {
  await flushTestRedis([1, 2]);
  producer = startProducer({ allDify: true, rate: 20, task: "tasks.index_document" });
  worker = startCeleryWorker({ queues: ["mail"], hostname: "e2e-mail", pool: "threads", concurrency: 2 });
  await worker.waitReady();
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2]);
});

test("Dify's 16 queues show live depths while the producer runs", async ({ page }) => {
  void producer;
  await login(page);
  await page.goto("/queues");
  for (const q of DIFY) await expect(page.getByTestId(`queue-row-${q}`)).toBeVisible();
  const depth = page.getByTestId("queue-depth-dataset");
  await expect
    .poll(async () => Number((await depth.textContent())?.replace(/\D/g, "")), { timeout: 30_000 })
    .toBeGreaterThan(0);
  const before = Number((await depth.textContent())?.replace(/\D/g, ""));
  await expect
    .poll(async () => Number((await depth.textContent())?.replace(/\D/g, "")), { timeout: 30_000 })
    .toBeGreaterThan(before);
});

test("a queue page shows its chart, backlog composition and consumers", async ({ page }) => {
  await login(page);
  await page.goto("/queues/default/mail");
  await expect(page.getByTestId("composition")).toBeVisible();
  await expect(page.getByTestId("consumers")).toContainText("e2e-mail@", { timeout: 30_000 });
  await page.goto("/queues/default/dataset");
  await expect(page.getByTestId("composition")).toContainText("tasks.index_document", { timeout: 30_000 });
  await expect(page.locator("canvas").first()).toBeVisible();
});
