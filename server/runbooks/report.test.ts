import { describe, expect, it } from "vitest";
import { actionRecords, stepProgress } from "./progress";
import { reportMarkdown } from "./report";
import { svgLineChart } from "./svg-chart";
import type { RunbookEntry, RunbookRun } from "./types";

const run: RunbookRun = {
  id: "run-1",
  kind: "thread-leak",
  target: { host: "local", id: "abc" },
  targetLabel: "local/leaker (abc)",
  status: "open",
  alertId: "al-1",
  createdBy: "alice",
  createdAt: 0,
  updatedAt: 0,
  verifyMinutes: 2,
  verifyShare: 80,
  verifyState: "pass",
};
const entries: RunbookEntry[] = [
  {
    id: "1",
    ts: 0,
    actor: "alice",
    kind: "created",
    step: null,
    detail: { kind: "thread-leak", target: "local/leaker (abc)", alertId: "al-1" },
  },
  { id: "2", ts: 1000, actor: "alice", kind: "step", step: "detect", detail: { done: true, note: null } },
  {
    id: "3",
    ts: 2000,
    actor: "bob",
    kind: "step",
    step: "diagnose",
    detail: { done: true, note: "parent | cgroup caps at 40" },
  },
  {
    id: "4",
    ts: 3000,
    actor: "alice",
    kind: "action",
    step: "mitigate",
    detail: {
      auditId: "11111111-1111-4111-8111-111111111111",
      action: "container.set-pids-limit",
      status: "succeeded",
      target: "local/abc",
      finding: "docker inspect PidsLimit=200",
    },
  },
  {
    id: "5",
    ts: 4000,
    actor: "bob",
    kind: "action",
    step: "mitigate",
    detail: {
      auditId: "22222222-2222-4222-8222-222222222222",
      action: "container.restart",
      status: "succeeded",
      target: "local/abc",
      finding: "running again",
    },
  },
  {
    id: "6",
    ts: 5000,
    actor: "system:verify",
    kind: "verify",
    step: "verify",
    detail: { state: "pass", detail: "Passed: now 17%" },
  },
];

describe("incident report", () => {
  it("holds steps with who did them, every action with its audit id, the outcome, the timeline and charts as images", () => {
    const svg = svgLineChart(
      "pids of <leaker>",
      [
        {
          label: "pids current",
          color: "#2563eb",
          points: [
            [0, 3],
            [1000, null],
            [2000, 35],
          ],
        },
      ],
      [{ ts: 3000, label: "restart" }],
    );
    expect(svg).toContain("pids of &#60;leaker&#62;");
    expect(svg.match(/<polyline/g)).toHaveLength(2); // the null splits the line
    const md = reportMarkdown({
      run,
      entries,
      steps: stepProgress(entries),
      actions: actionRecords(entries),
      verify: {
        state: "pass",
        criterion: "pids under 80% ...",
        detail: "Passed: now 17%",
        lastActionAt: 4000,
        windowStart: 4000,
      },
      capture: null,
      charts: [{ title: "pids", svg }],
      generatedAt: 6000,
      generatedBy: "carol",
    });
    expect(md).toMatch(/^# Incident report: Thread leak on local\/leaker \(abc\)/);
    expect(md).toContain("- Outcome: **PASS** — Passed: now 17%");
    expect(md).toContain("| diagnose | yes | bob | 1970-01-01 00:00:02 UTC | parent \\| cgroup caps at 40 |");
    expect(md).toContain("`11111111-1111-4111-8111-111111111111`");
    expect(md).toContain("`22222222-2222-4222-8222-222222222222`");
    expect(md).toContain("![pids](data:image/svg+xml;base64,");
    expect(md).toContain(
      "**bob** ran container.restart on local/abc: succeeded (running again) — audit 22222222-2222-4222-8222-222222222222",
    );
    expect(md).toContain("Not captured (the Diagnose step was never marked done).");
  });

  it("derives progress from the timeline: the last mark wins and keeps who made it", () => {
    const reopened = [
      ...entries,
      { id: "7", ts: 6000, actor: "carol", kind: "step" as const, step: "detect" as const, detail: { done: false } },
    ];
    expect(stepProgress(reopened).find((s) => s.step === "detect")).toEqual({
      step: "detect",
      done: false,
      by: "carol",
      at: 6000,
      note: null,
    });
    expect(stepProgress(reopened).find((s) => s.step === "record")!.done).toBe(false);
  });
});
