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
  // One consumer: "1 worker", never "1 workers" (issue 16 item 11).
  await expect(page.getByTestId("consumers")).toContainText(/(?:^|\D)1 worker(?!s)/);
  await page.goto("/queues/default/dataset");
  await expect(page.getByTestId("composition")).toContainText("tasks.index_document", { timeout: 30_000 });
  await expect(page.locator("canvas").first()).toBeVisible();
  // Issue 16 item 7: the chart names its time zone and unit, the range lives in the URL, and Pause holds the picture.
  await expect(page.getByTestId("queue-chart-zone")).toContainText(/^Times in .+, UTC[+-]\d\d:\d\d$/);
  // The legend shows the newest depth without hovering (uPlot shows "—" with the cursor away).
  await expect(page.getByTestId("queue-chart").locator(".u-legend")).toContainText(/depth\s*[\d,]+/);
  await page.getByTestId("range-24h").click();
  await expect(page).toHaveURL(/[?&]range=24h\b/);
  await page.reload();
  await expect(page.getByTestId("range-24h")).toHaveAttribute("aria-pressed", "true");
  await page.getByTestId("queue-chart-pause").click();
  await expect(page.getByTestId("queue-chart-pause")).toHaveText("Resume live");
  await expect(page.getByTestId("queue-chart-pause")).toHaveAttribute("aria-pressed", "true");
});

test("queue columns sort by a header click, kept in the URL beside the name filter", async ({ page }) => {
  await login(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/queues?q=a");
  const table = page.getByTestId("broker-default").locator("table");
  await expect(table.locator("tbody tr[data-testid^='queue-row-']").first()).toBeVisible({ timeout: 30_000 });
  const header = table.locator("th", { has: page.getByTestId("sort-name") });
  await expect(header).toHaveAttribute("aria-sort", "none");
  await page.getByTestId("broker-default").getByTestId("sort-name").click();
  await expect(page).toHaveURL(/[?&]q=a(&|$)/);
  await expect(page).toHaveURL(/[?&]sort=name(&|$)/);
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  const names = async () =>
    (await table
      .locator("tbody tr[data-testid^='queue-row-']")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")!.slice("queue-row-".length)))) as string[];
  const ascending = await names();
  expect(ascending.length).toBeGreaterThan(1);
  expect(ascending.every((n) => n.includes("a"))).toBe(true);
  expect(ascending).toEqual(
    [...ascending].sort((x, y) => x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" })),
  );
  // A reload keeps filter and sort; the second click turns it, the third returns to worst first.
  await page.reload();
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  await page.getByTestId("broker-default").getByTestId("sort-name").click();
  await expect(header).toHaveAttribute("aria-sort", "descending");
  await expect(page).toHaveURL(/[?&]sort=-name(&|$)/);
  expect(await names()).toEqual([...ascending].reverse());
  await page.getByTestId("broker-default").getByTestId("sort-name").click();
  await expect(header).toHaveAttribute("aria-sort", "none");
  await expect(page).not.toHaveURL(/sort=/);
  await expect(page).toHaveURL(/[?&]q=a(&|$)/);
});
