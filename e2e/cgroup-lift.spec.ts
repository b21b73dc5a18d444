import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  containerPidsDir,
  docker,
  ensureFixtureImage,
  readPidsCurrent,
  removeCgroupParent,
  setCgroupPidsMax,
  startLeaker,
} from "../server/testing/harness";
import { login } from "./support";

// Issue 10, end to end on this host (cgroup v1, cgroupfs driver): a leaker stuck at a parent cgroup's cap of 40
// (--cgroup-parent) is walked through the thread-leak runbook; Mitigate lifts the inherited cap with
// cgroup.set-pids-max (the e2e server runs as root with LEAKWATCH_CGROUP_WRITE=true, see playwright.config.ts),
// the leak grows again, the page shows the new effective limit and source, and the time box puts the cap back.

const SUFFIX = Date.now().toString(36);
const cleanups: (() => Promise<unknown>)[] = [];

test.afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function runDialog(
  page: Page,
  button: Locator,
  opts: { fields: Record<string, string>; reason: string; previewHas: RegExp[] },
): Promise<{ auditId: string; verify: string }> {
  await button.click();
  const dialog = page.locator("dialog[open]");
  for (const [name, value] of Object.entries(opts.fields)) await dialog.getByTestId(`param-${name}`).fill(value);
  await dialog.getByTestId("action-preview").click();
  const preview = dialog.getByTestId("action-preview-body");
  for (const re of opts.previewHas) await expect(preview).toContainText(re);
  await expect(dialog.getByTestId("action-blocker")).toHaveCount(0);
  await dialog.getByTestId("action-reason").fill(opts.reason);
  await dialog.getByTestId("action-run").click();
  await expect(dialog.getByTestId("action-result")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  const auditId = (await dialog.getByTestId("action-audit-id").textContent())!.trim();
  const verify = (await dialog.getByTestId("action-verify").textContent()) ?? "";
  await dialog.getByRole("button", { name: "Close", exact: true }).first().click();
  return { auditId, verify };
}

test("thread leak at an inherited cap: the runbook's Mitigate lifts it with cgroup.set-pids-max, time-boxed", async ({
  page,
}) => {
  await ensureFixtureImage();
  const parent = `/lw-lift-${SUFFIX}`;
  await setCgroupPidsMax(parent, 40);
  const name = `lw-lift-leak-${SUFFIX}`;
  const id = await startLeaker({ name, rate: 2, cgroupParent: parent, threadName: "lift-leak" });
  cleanups.push(
    () => removeCgroupParent(parent),
    () => docker("rm", "-f", id),
  );
  const parentMax = async () =>
    (await readFile(path.join(path.dirname(await containerPidsDir(id)), "pids.max"), "utf8")).trim();
  await expect.poll(() => readPidsCurrent(id), { timeout: 60_000 }).toBeGreaterThanOrEqual(38);

  await login(page);
  await page.goto(`/runbooks/new?kind=thread-leak&host=local&id=${id}`);
  await page.getByTestId("runbook-start").click();
  await expect(page.getByTestId("runbook")).toBeVisible();

  // Detect and Diagnose: the parent's cap is the effective limit, inherited, with the host command as before.
  await expect(page.getByTestId("detect-effective")).toContainText("40 (ancestor)");
  await expect(page.getByTestId("diagnose-inherited")).toBeVisible();
  await expect(page.getByTestId("host-commands")).toContainText(`echo max > /sys/fs/cgroup/pids${parent}/pids.max`);

  // Mitigate: the one-click lift, previewed with every level, who else shares it, and that it does not persist.
  const { auditId, verify } = await runDialog(page, page.getByTestId("mitigate-lift"), {
    fields: { value: "200", timeboxSeconds: "30" },
    reason: "INC-10 lift the parent's cap for a while",
    previewHas: [
      new RegExp(`Set pids.max of ${parent} \\(ancestor 1 of ${name}\\) from 40 to 200`),
      /New effective limit: 200 from ancestor/,
      /Not persistent/,
      /Reverts to 40 after 30 s/,
    ],
  });
  expect(verify).toContain(`${parent}/pids.max reads 200; effective limit now 200 from ancestor`);
  expect(await parentMax()).toBe("200");
  await expect(
    page.getByTestId("step-mitigate").locator(`[data-testid="run-action"][data-audit-id="${auditId}"]`),
  ).toBeVisible();

  // The leak grows again past the old cap, and the page shows the new effective limit and its source.
  await expect.poll(() => readPidsCurrent(id), { timeout: 60_000 }).toBeGreaterThan(45);
  await expect(page.getByTestId("detect-effective")).toContainText("200 (ancestor)");

  // The audit holds intent and outcome with the file's old and new values.
  const audit = await page.request.get(`/api/audit/export?format=json&action=cgroup.set-pids-max`);
  const rows = JSON.parse(await audit.text()) as Record<string, unknown>[];
  const mine = JSON.stringify(rows.filter((r) => JSON.stringify(r).includes(auditId)));
  expect(mine).toContain('"pidsMax":"40"');
  expect(mine).toContain('"pidsMax":"200"');

  // The time box runs out (the scheduler reverts it through the audited action path): capped at 40 again.
  await expect.poll(parentMax, { timeout: 120_000, intervals: [2000] }).toBe("40");
  await expect(page.getByTestId("detect-effective")).toContainText("40 (ancestor)");
  // New threads are refused again (kernels count it in the forking cgroup or the capped one: read both).
  const refused = async () => {
    const own = await containerPidsDir(id);
    const count = async (dir: string) =>
      Number(/^max\s+(\d+)/m.exec(await readFile(path.join(dir, "pids.events"), "utf8"))?.[1] ?? 0);
    return Math.max(await count(own), await count(path.dirname(own)));
  };
  const refusedAtRevert = await refused();
  await expect.poll(refused, { timeout: 30_000 }).toBeGreaterThan(refusedAtRevert);

  // The audit page labels the time-boxed raise and the system's revert of it (issue 16 item 6).
  await page.goto(`/audit?action=set-pids-max&target=${encodeURIComponent(name)}`);
  const raiseRow = page.getByTestId("audit-row").filter({ hasText: auditId.slice(0, 8), hasNotText: "system:timebox" });
  await expect(raiseRow.getByTestId("audit-timebox")).toHaveAttribute("data-kind", "raise");
  await expect(raiseRow.getByTestId("audit-timebox")).toContainText("reverts after 30s");
  const revertRow = page.getByTestId("audit-row").filter({ hasText: "system:timebox" });
  await expect(revertRow.getByTestId("audit-timebox")).toHaveAttribute("data-kind", "revert");
  await expect(revertRow.getByTestId("audit-timebox")).toContainText(`of ${auditId.slice(0, 8)}`);
});
