import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PrintButton } from "@/components/runbooks/print-button";
import { requireUser } from "@/server/auth/current";
import { NotFoundError } from "@/server/errors";
import { describeEntry, entryTarget } from "@/server/runbooks/describe";
import { reportInput } from "@/server/runbooks/report-data";

export const metadata: Metadata = { title: "Incident report" };
export const dynamic = "force-dynamic";

const iso = (ts: number | null) =>
  ts === null ? "—" : new Date(ts).toISOString().replace("T", " ").slice(0, 19) + " UTC";

// The print-friendly incident report: the same content as the Markdown download, charts inline as SVG.
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser();
  const input = await reportInput(decodeURIComponent(id), user.username).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const { run, verify, steps, actions, entries, charts, capture } = input;
  const ctx = capture?.context;
  return (
    <article className="report mx-auto max-w-4xl space-y-4 bg-white p-6 text-zinc-900" data-testid="report-page">
      {/* The console shell (navigation, status strip) stays off paper. */}
      <style>{`@media print { nav, aside, header, [data-print="hide"] { display: none !important; } body { background: #fff; } .report { max-width: none; padding: 0; } }`}</style>
      <div className="flex items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          Incident report: {run.kind === "thread-leak" ? "thread leak" : "queue backlog"} on {run.targetLabel}
        </h1>
        <PrintButton />
      </div>
      <p>
        Run {run.id} · started {iso(run.createdAt)} by {run.createdBy}
        {run.alertId ? ` from alert ${run.alertId}` : ""}
      </p>
      <p data-testid="report-outcome">
        <strong>Outcome: {verify.state.toUpperCase()}</strong> — {verify.detail} <br />
        <span className="text-sm">Criterion: {verify.criterion}</span>
      </p>
      <h2 className="text-lg font-semibold">Steps</h2>
      <ul className="text-sm">
        {steps.map((s) => (
          <li key={s.step}>
            {s.step}: {s.done ? `done by ${s.by} at ${iso(s.at)}` : "not done"}
            {s.note ? ` — ${s.note}` : ""}
          </li>
        ))}
      </ul>
      <h2 className="text-lg font-semibold">Actions</h2>
      <table className="w-full text-sm">
        <thead className="text-left">
          <tr>
            <th>When</th>
            <th>By</th>
            <th>Action</th>
            <th>Status</th>
            <th>Audit id</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.auditId}>
              <td>{iso(a.at)}</td>
              <td>{a.by}</td>
              <td>{a.action}</td>
              <td>
                {a.status}
                {a.finding ? ` — ${a.finding}` : ""}
              </td>
              <td className="font-mono text-xs">{a.auditId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 className="text-lg font-semibold">Diagnosis</h2>
      {ctx?.kind === "thread-leak" ? (
        <div className="text-sm">
          {ctx.pids && (
            <p>
              pids {ctx.pids.current} of effective limit{" "}
              {ctx.pids.effectiveLimit ??
                (ctx.pids.limitSource === "not-visible" ? "not visible from the console" : "none")}{" "}
              ({ctx.pids.limitSource}
              {ctx.pids.limitPath ? ` at ${ctx.pids.limitPath}` : ""})
            </p>
          )}
          <ul className="list-disc pl-5">
            {ctx.advice?.explanation.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
          {ctx.advice?.commands.map((c) => (
            <div key={c.command}>
              <p className="font-medium">{c.title}</p>
              <pre className="whitespace-pre-wrap bg-zinc-100 p-1 text-xs">{c.command}</pre>
            </div>
          ))}
        </div>
      ) : ctx?.kind === "queue-backlog" ? (
        <p className="text-sm">
          depth {ctx.queue?.depth ?? "?"}, consumers {ctx.queue?.consumers.join(", ") || "none"}, orphaned{" "}
          {ctx.queue?.orphaned ?? 0}; workers gone: {ctx.goneWorkers.map((w) => w.hostname).join(", ") || "none"}
        </p>
      ) : (
        <p className="text-sm">Not captured.</p>
      )}
      {capture?.threads && (
        <p className="text-sm">
          Threads: {capture.threads.totalThreads}; top process {capture.threads.processes[0]?.command ?? "?"} with{" "}
          {capture.threads.processes[0]?.threads ?? "?"}; blocked on{" "}
          {capture.threads.groups
            .slice(0, 3)
            .map((g) => `${g.wchan} ×${g.count}`)
            .join(", ")}
        </p>
      )}
      <h2 className="text-lg font-semibold">Charts</h2>
      {/* Our own SVG (svg-chart.ts escapes every label). */}
      {charts.map((c) => (
        <div key={c.title} data-testid="report-chart" dangerouslySetInnerHTML={{ __html: c.svg }} />
      ))}
      <h2 className="text-lg font-semibold">Timeline</h2>
      <ol className="text-sm">
        {entries.map((e) => (
          <li key={e.id} title={entryTarget(e, run)?.id ?? undefined}>
            {iso(e.ts)} — <strong>{e.actor}</strong> {describeEntry(e, run)}
          </li>
        ))}
      </ol>
    </article>
  );
}
