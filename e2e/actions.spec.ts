import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ensureFixtureImage, removeTestContainers, startLeaker } from "../server/testing/harness";
import { ensureUser, login } from "./support";

const NAME = "lw-e2e-raise";
let id = "";

test.beforeAll(async () => {
  await ensureFixtureImage();
  id = await startLeaker({ name: NAME, rate: 5, pidsLimit: 200 });
});

test.afterAll(async () => {
  await removeTestContainers("run");
});

test("an operator raises a leaking container's limit through the dialog and finds it in the audit log", async ({
  page,
  request,
}) => {
  const operator = await ensureUser(request, "oncall-op", "operator");
  await login(page, operator);
  await page.goto(`/containers/local/${id.slice(0, 12)}`);
  await page.getByTestId("action-set-limit").click();
  const dialog = page.getByTestId("action-dialog");
  await dialog.getByTestId("param-limit").fill("900");
  await dialog.getByTestId("action-preview").click();
  await expect(dialog.getByTestId("action-preview-body")).toContainText("900");
  await dialog.getByTestId("action-reason").fill("INC-4242 leak, buying time");
  await dialog.getByTestId("action-run").click();
  const result = dialog.getByTestId("action-result");
  await expect(result).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(dialog.getByTestId("action-verify")).toContainText("PidsLimit=900");
  const auditId = (await dialog.getByTestId("action-audit-id").textContent())!.trim();
  expect(execFileSync("docker", ["inspect", "-f", "{{.HostConfig.PidsLimit}}", id]).toString().trim()).toBe("900");

  await page.keyboard.press("Escape");
  await page.goto("/audit");
  const row = page.getByTestId("audit-row").filter({ hasText: auditId.slice(0, 8) });
  await expect(row).toContainText("container.set-pids-limit");
  await expect(row).toContainText("INC-4242");
  await expect(row).toContainText("succeeded");

  // Searching (issue 16 item 6): part of the name in another case and part of the action, kept in the URL, the
  // target linked to its container page, and the chain's check next to the count the filter shows.
  await page.getByTestId("audit-filter-target").fill(NAME.slice(3).toUpperCase());
  await page.getByTestId("audit-filter-action").fill("PIDS-LIMIT");
  await page.getByTestId("audit-filter-apply").click();
  await expect(page).toHaveURL(/[?&]target=E2E-RAISE/);
  await expect(page.getByTestId("audit-row")).not.toHaveCount(0);
  for (const text of await page.getByTestId("audit-row").allTextContents()) expect(text).toContain(NAME);
  await expect(page.getByTestId("audit-count")).toContainText(/match(es)? the filter/);
  await expect(page.getByTestId("audit-verify")).toContainText(/Chain intact: [\d,]+ entries/);
  await page.reload();
  await expect(page.getByTestId("audit-filter-target")).toHaveValue(NAME.slice(3).toUpperCase());
  const filtered = page.getByTestId("audit-row").filter({ hasText: auditId.slice(0, 8) });
  // The row opens the entry whole: the preview the operator confirmed and what verify saw, by a link to ?id=.
  await filtered.getByTestId("audit-entry-link").click();
  await expect(page).toHaveURL(new RegExp(`[?&]id=${auditId}`));
  await expect(page.getByTestId("audit-entry")).toContainText("INC-4242");
  await expect(page.getByTestId("audit-entry-verify")).toContainText("900");
  await expect(page.getByTestId("audit-entry-preview")).toBeVisible();
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await page.getByTestId("audit-entry-close").click();
  await expect(page.getByTestId("audit-entry")).toHaveCount(0);
  await expect(filtered.getByTestId("audit-target-link")).toHaveAttribute("href", `/containers/local/${id}`);
  await filtered.getByTestId("audit-target-link").click();
  await expect(page).toHaveURL(new RegExp(`/containers/local/${id}$`));
});

test("a viewer sees no action buttons and the API refuses them", async ({ page, request }) => {
  const viewer = await ensureUser(request, "oncall-viewer", "viewer");
  await login(page, viewer);
  await page.goto(`/containers/local/${id.slice(0, 12)}`);
  await expect(page.getByTestId("pids-chart")).toBeVisible();
  await expect(page.locator("[data-testid^=action-]")).toHaveCount(0);
  const csrf = await page.evaluate(
    async () => ((await (await fetch("/api/auth/session")).json()) as { csrfToken: string }).csrfToken,
  );
  const status = await page.evaluate(
    async ({ csrf, name }) => {
      const res = await fetch("/api/actions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({
          action: "container.restart",
          target: { host: "local", id: name },
          params: {},
          reason: "x",
          confirm: `local/${name}`,
        }),
      });
      return res.status;
    },
    { csrf, name: NAME },
  );
  expect(status).toBe(403);
});
