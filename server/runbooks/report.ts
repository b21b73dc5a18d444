import "server-only";
import { describeEntry } from "./describe";
import { svgDataUri } from "./svg-chart";
import type { ActionRecord, DiagnosisCapture, RunbookEntry, RunbookRun, StepProgress, VerifyStatus } from "./types";

// Pure: the incident report as Markdown: summary, timeline, charts (SVG data URIs), diagnosis, every action with
// its audit id, and the outcome against the stated criterion.

export interface ReportInput {
  run: RunbookRun;
  entries: RunbookEntry[];
  steps: StepProgress[];
  actions: ActionRecord[];
  verify: VerifyStatus;
  capture: DiagnosisCapture | null;
  charts: { title: string; svg: string }[];
  generatedAt: number;
  generatedBy: string;
}

const iso = (ts: number | null) =>
  ts === null ? "—" : new Date(ts).toISOString().replace("T", " ").slice(0, 19) + " UTC";
const cell = (s: unknown) =>
  String(s ?? "—")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ");
const title = (r: RunbookRun) => (r.kind === "thread-leak" ? "Thread leak" : "Queue backlog");

function diagnosis(c: DiagnosisCapture | null): string[] {
  if (!c) return ["Not captured (the Diagnose step was never marked done)."];
  const out: string[] = [];
  const ctx = c.context;
  if (ctx.kind === "thread-leak") {
    if (ctx.pids)
      out.push(
        `- pids: ${ctx.pids.current ?? "?"} of effective limit ${ctx.pids.effectiveLimit ?? (ctx.pids.limitSource === "not-visible" ? "not visible from the console" : "none")} (source: ${ctx.pids.limitSource}${ctx.pids.limitPath ? ` at ${ctx.pids.limitPath}` : ""}); container's own limit ${ctx.pids.limit ?? "none"}; forks refused ${ctx.pids.refusedTotal ?? 0}.`,
      );
    for (const l of ctx.cgroup?.levels ?? [])
      out.push(`  - cgroup ${l.path}: max ${l.max ?? "max"}, current ${l.current ?? "?"}`);
    for (const e of ctx.advice?.explanation ?? []) out.push(`- ${e}`);
    if (ctx.advice?.commands.length) {
      out.push("", "Host-side commands (run by an administrator on the host; the console never runs them):", "");
      for (const h of ctx.advice.commands) out.push(`- ${h.title}: \`${h.command}\` — ${h.note}`);
    }
    if (ctx.queues.length)
      out.push(`- Queues it serves: ${ctx.queues.map((q) => `${q.broker}/${q.queue} (${q.via})`).join(", ")}`);
  } else {
    const q = ctx.queue;
    if (q)
      out.push(
        `- depth ${q.depth}, unacked ${q.unacked}, orphaned ${q.orphaned}, consumers: ${q.consumers.join(", ") || "none"}`,
      );
    if (ctx.goneWorkers.length)
      out.push(
        `- Workers that stopped answering: ${ctx.goneWorkers.map((w) => `${w.hostname} (last seen ${iso(w.lastSeen)})`).join(", ")}`,
      );
    for (const g of ctx.composition?.groups.slice(0, 10) ?? [])
      out.push(`  - ${g.task}: ${g.count} of ${ctx.composition!.sampled} sampled`);
  }
  if (c.threads) {
    out.push(`- Threads (${c.threads.source}): ${c.threads.totalThreads} in total`);
    for (const p of c.threads.processes.slice(0, 5)) out.push(`  - pid ${p.pid} ${p.command}: ${p.threads} threads`);
    for (const g of c.threads.groups.slice(0, 5))
      out.push(`  - ${g.count} threads ${g.state} in ${g.wchan}${g.syscall ? ` (${g.syscall})` : ""}`);
    for (const s of c.threads.logSignatures.slice(0, 5))
      out.push(`  - log: ${s.signature} ×${s.count} — \`${s.sample.slice(0, 160)}\``);
  }
  return out;
}

export function reportMarkdown(i: ReportInput): string {
  const { run } = i;
  const lines: string[] = [
    `# Incident report: ${title(run)} on ${run.targetLabel}`,
    "",
    `- Run: ${run.id} (${run.status})`,
    `- Started: ${iso(run.createdAt)} by ${run.createdBy}${run.alertId ? ` from alert ${run.alertId}` : ""}`,
    `- Outcome: **${i.verify.state.toUpperCase()}** — ${i.verify.detail}`,
    `- Criterion: ${i.verify.criterion}`,
    `- Generated: ${iso(i.generatedAt)} by ${i.generatedBy}`,
    "",
    "## Steps",
    "",
    "| Step | Done | By | When | Note |",
    "|---|---|---|---|---|",
    ...i.steps.map((s) => `| ${s.step} | ${s.done ? "yes" : "no"} | ${cell(s.by)} | ${iso(s.at)} | ${cell(s.note)} |`),
    "",
    "## Actions",
    "",
    ...(i.actions.length
      ? [
          "| When | By | Action | Status | Audit id | Verify |",
          "|---|---|---|---|---|---|",
          ...i.actions.map(
            (a) =>
              `| ${iso(a.at)} | ${cell(a.by)} | ${cell(a.label ? `${a.label} (${a.action})` : a.action)} | ${cell(a.status)} | \`${a.auditId}\` | ${cell(a.finding)} |`,
          ),
        ]
      : ["No action was taken."]),
    "",
    "## Diagnosis",
    "",
    ...diagnosis(i.capture),
    "",
    "## Charts",
    "",
    ...i.charts.flatMap((c) => [`![${c.title}](${svgDataUri(c.svg)})`, ""]),
    "## Timeline",
    "",
    ...i.entries.map((e) => `- ${iso(e.ts)} — **${e.actor}** ${describeEntry(e, run)}`),
    "",
  ];
  return lines.join("\n");
}
