import { expect, test } from "@playwright/test";
import { flushTestRedis, produce, stopAllProcesses } from "../server/testing/harness";
import { login } from "./support";

// Issue 13's message browser: in a 10,000-message queue an operator finds the one message of a task by its name,
// opens its envelope, and moves it to another queue through the action dialog.

test.beforeAll(async () => {
  await flushTestRedis([1, 2]);
  await produce({ queue: "plugin", task: "tasks.send_mail", count: 9_999 });
  await produce({ queue: "plugin", task: "tasks.index_document", count: 1 });
});

test.afterAll(async () => {
  await stopAllProcesses();
  await flushTestRedis([1, 2]);
});

test("an operator finds a message by task name in a 10,000-message queue, opens it and moves it", async ({ page }) => {
  test.setTimeout(180_000);
  await login(page);
  await page.goto("/queues/default/plugin");
  const browser = page.getByTestId("message-browser");
  await expect(browser.getByTestId("message-searched")).toContainText("10,000 in queue", { timeout: 30_000 });
  await expect(browser.getByTestId("message-args-hidden")).toContainText("Task arguments");

  await browser.getByTestId("message-filter-task").fill("index_document");
  await browser.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/[?&]mtask=index_document/);
  const rows = browser.getByTestId("message-row");
  await expect(rows).toHaveCount(1, { timeout: 30_000 });
  await expect(rows.first()).toContainText("9,999"); // the last of 10,000 in delivery order
  await expect(browser.getByTestId("message-searched")).toContainText("searched 10,000");

  await rows.first().getByTestId("message-open").click();
  const panel = page.getByTestId("message-panel");
  await expect(panel.getByTestId("message-envelope")).toContainText('"task": "tasks.index_document"');
  await expect(panel.getByTestId("message-envelope")).toContainText("hidden: task arguments are off");

  await panel.getByTestId("message-move").click();
  const dialog = page.getByTestId("action-dialog");
  await dialog.getByTestId("param-to").fill("plugin.parked");
  await dialog.getByTestId("action-preview").click();
  await expect(dialog.getByTestId("action-preview-body")).toContainText("tasks.index_document");
  await dialog.getByTestId("action-reason").fill("INC-13 park the odd one out");
  await dialog.getByTestId("action-run").click();
  await expect(dialog.getByTestId("action-result")).toContainText("1 moved to plugin.parked", { timeout: 30_000 });
  await page.keyboard.press("Escape");

  await expect(rows).toHaveCount(0, { timeout: 30_000 });
  // plugin.parked is bound to nothing, so it has no page of its own until sampled: ask the API, as the browser would.
  const parked = await page.request.get("/api/queues/default/plugin.parked/messages?task=index_document");
  expect(((await parked.json()) as { messages: { task: string }[] }).messages.map((m) => m.task)).toEqual([
    "tasks.index_document",
  ]);
});
