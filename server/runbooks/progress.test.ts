import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readAudit } from "@/server/audit/query";
import { actionOnTarget } from "./progress";

// The intent and outcome of a container.restart run from a thread-leak runbook, as the console wrote them in a CI
// run: the audit names the container (local/<name>) and keeps its full id in targetId. The link to the run was
// refused there (409) because the check looked the name up in the live snapshot, which had no sample of the
// container in the second after its restart.
const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "__fixtures__/restart-during-run.audit.jsonl");
const ID = "86c30fd1e5b5934352072ad9f5cd6312bf815b7c8c5aded85fe111710bb0e1a5";

async function restartRow() {
  const { rows } = await readAudit(FIXTURE, { limit: 10 });
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe("actionOnTarget", () => {
  it("links a restart recorded by name to the run's container id with no live sample of it", async () => {
    const row = await restartRow();
    expect(row.target).toBe("local/lw-rb-leak-mx766pdv");
    expect(actionOnTarget(row, { host: "local", id: ID }, undefined)).toBe(true);
    expect(actionOnTarget(row, { host: "local", id: ID.slice(0, 12) }, undefined)).toBe(true);
  });

  it("refuses the same record for another container, another host or a queue run", async () => {
    const row = await restartRow();
    expect(actionOnTarget(row, { host: "local", id: "f".repeat(64) }, undefined)).toBe(false);
    expect(actionOnTarget(row, { host: "local", id: "f".repeat(64) }, "another-name")).toBe(false);
    expect(actionOnTarget(row, { host: "remote", id: ID }, undefined)).toBe(false);
    expect(actionOnTarget(row, { broker: "default", queue: "dataset" }, undefined)).toBe(false);
  });

  it("still accepts a record without an id when its name is the container's live name", async () => {
    const row = { ...(await restartRow()), intent: null, outcomeEntry: null };
    expect(actionOnTarget(row, { host: "local", id: ID }, undefined)).toBe(false);
    expect(actionOnTarget(row, { host: "local", id: ID }, "lw-rb-leak-mx766pdv")).toBe(true);
  });
});
