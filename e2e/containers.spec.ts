import { expect, test } from "@playwright/test";
import { ensureFixtureImage, removeTestContainers, startLeaker } from "../server/testing/harness";
import { login } from "./support";

const LEAKY = "lw-e2e-leaky";
const CALM = "lw-e2e-calm";

test.beforeAll(async () => {
  await ensureFixtureImage();
  await startLeaker({ name: CALM, mode: "healthy", pool: 4 });
  // 10 threads/s against a limit of 300: warn within ~20 s, critical (90%) within ~30 s.
  await startLeaker({ name: LEAKY, rate: 10, pidsLimit: 300 });
});

test.afterAll(async () => {
  await removeTestContainers("run");
});

test("a leaking container rises to the top as critical; its page updates live", async ({ page }) => {
  await login(page);
  await page.goto("/containers");
  const leakyRow = page.getByTestId(`container-row-${LEAKY}`);
  await expect(leakyRow).toBeVisible();
  await expect(page.getByTestId(`status-${LEAKY}`)).toHaveText(/critical/, { timeout: 90_000 });
  await expect(page.getByTestId(`status-${CALM}`)).toHaveText(/ok/);
  // Sorted by status and share: among this test's containers (the machine may run others), the leak is first.
  await page.getByTestId("filter-text").fill("lw-e2e");
  await expect(page.locator("[data-testid^=container-row-]").first()).toHaveAttribute(
    "data-testid",
    `container-row-${LEAKY}`,
  );

  await leakyRow.getByRole("link", { name: LEAKY }).click();
  await expect(page.getByTestId("pids-chart")).toBeVisible();
  await expect(page.getByTestId("limit-panel")).toContainText("300");
  const groups = page.getByTestId("thread-groups");
  await expect(groups).toBeVisible();
  await expect(groups).toContainText(/futex|pause/);
  await page.screenshot({ path: "test-results/container-leaky.png", fullPage: true });
});

test("the thread groups of a growing container change without a reload", async ({ page }) => {
  const id = await startLeaker({ name: "lw-e2e-grower", rate: 4, pidsLimit: 2000 });
  await login(page);
  await page.goto(`/containers/local/${id.slice(0, 12)}`);
  const total = page.getByTestId("thread-total");
  await expect(total).toBeVisible({ timeout: 30_000 });
  const first = Number((await total.textContent())?.replace(/\D/g, ""));
  await expect
    .poll(async () => Number((await total.textContent())?.replace(/\D/g, "")), { timeout: 30_000 })
    .toBeGreaterThan(first);
});

test("an id Docker does not know is a real 404 with a way back", async ({ page }) => {
  await login(page);
  const res = await page.goto("/containers/local/0123456789ab");
  expect(res?.status()).toBe(404);
  const panel = page.getByTestId("not-found");
  await expect(panel).toContainText("Container not found");
  await panel.getByRole("link", { name: "All containers" }).click();
  await expect(page).toHaveURL(/\/containers$/);
});
