"use client";
import Link from "next/link";
import { useContainer } from "@/components/hooks/use-container";
import { useContainers } from "@/components/hooks/use-containers";
import { PidsChart } from "@/components/containers/pids-chart";
import { Panel } from "@/components/ui/panel";
import { QueryFallback } from "@/components/ui/query-state";
import { NotFoundPanel } from "@/components/ui/not-found-panel";
import { containerHref, queueHref } from "@/lib/segments";
import type { QueueBacklogContext, RunbookResponse, ThreadLeakContext } from "@/server/schemas/runbooks";
import { MappedQueueChart } from "./mapped-queue-chart";
import { QueueDetect, QueueDiagnose, QueueMitigate } from "./queue-steps";
import { ActionsTable, RecordPanel, Timeline } from "./record-panel";
import { StepCard } from "./step-card";
import { ThreadDetect } from "./thread-detect";
import { ThreadDiagnose } from "./thread-diagnose";
import { ThreadMitigate } from "./thread-mitigate";
import { useRunbook, useRunbookContext } from "./use-runbook";
import { VerifyPanel } from "./verify-panel";
import { Time } from "@/components/ui/time";

// One runbook run, walked from Detect to Record by everyone who has it open: progress, actions and the verdict
// live in the console's database and arrive here through the "runbooks" event topic.
export function RunbookView({ id }: { id: string }) {
  const q = useRunbook(id);
  const ctx = useRunbookContext(id);
  if (!q.data)
    return (
      <QueryFallback
        query={q}
        what="this runbook"
        loading="runbook"
        notFound={<NotFoundPanel what="Runbook run" name={id} backHref="/runbooks" backLabel="All runbooks" />}
      />
    );
  const view = q.data;
  const { run, steps } = view;
  const t = run.target;
  const step = (s: string) => steps.find((x) => x.step === s)!;
  return (
    <div className="min-w-0 space-y-4" data-testid="runbook" data-run-id={run.id} data-kind={run.kind}>
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">
          {run.kind === "thread-leak" ? "Thread leak" : "Queue backlog"}: {run.targetLabel}
        </h1>
        <span className="text-xs text-zinc-500">
          started by {run.createdBy} <Time ts={run.createdAt} /> · {run.status}
        </span>
        {"host" in t ? (
          <Link className="text-xs hover:underline" href={containerHref(t.host, t.id)}>
            container page
          </Link>
        ) : (
          <Link className="text-xs hover:underline" href={queueHref(t.broker, t.queue)}>
            queue page
          </Link>
        )}
      </div>
      {"host" in t ? (
        <ThreadSteps view={view} host={t.host} cid={t.id} ctx={ctx.data as ThreadLeakContext | undefined} />
      ) : (
        <>
          <StepCard runId={run.id} n={1} progress={step("detect")}>
            <QueueDetect broker={t.broker} queue={t.queue} ctx={ctx.data as QueueBacklogContext | undefined} />
          </StepCard>
          <StepCard runId={run.id} n={2} progress={step("diagnose")}>
            <QueueDiagnose ctx={ctx.data as QueueBacklogContext | undefined} />
          </StepCard>
          <StepCard runId={run.id} n={3} progress={step("mitigate")}>
            <QueueMitigate
              runId={run.id}
              broker={t.broker}
              queue={t.queue}
              ctx={ctx.data as QueueBacklogContext | undefined}
            />
            <div className="mt-3">
              <ActionsTable actions={view.actions} />
            </div>
          </StepCard>
          <StepCard runId={run.id} n={4} progress={step("verify")}>
            <VerifyBlock view={view} chart={<MappedQueueChart broker={t.broker} queue={t.queue} />} />
          </StepCard>
        </>
      )}
      <StepCard runId={run.id} n={5} progress={step("record")}>
        <RecordPanel run={run} actions={view.actions} />
      </StepCard>
      <Panel title="Timeline">
        <Timeline entries={view.entries} run={run} />
      </Panel>
    </div>
  );
}

function ThreadSteps({
  view,
  host,
  cid,
  ctx,
}: {
  view: RunbookResponse;
  host: string;
  cid: string;
  ctx: ThreadLeakContext | undefined;
}) {
  const { run, steps } = view;
  const step = (s: string) => steps.find((x) => x.step === s)!;
  return (
    <>
      <StepCard runId={run.id} n={1} progress={step("detect")}>
        <ThreadDetect host={host} id={cid} ctx={ctx} />
      </StepCard>
      <StepCard runId={run.id} n={2} progress={step("diagnose")}>
        <ThreadDiagnose host={host} id={cid} ctx={ctx} />
      </StepCard>
      <StepCard runId={run.id} n={3} progress={step("mitigate")}>
        <ThreadMitigate runId={run.id} host={host} id={cid} ctx={ctx} />
        <div className="mt-3">
          <ActionsTable actions={view.actions} />
        </div>
      </StepCard>
      <StepCard runId={run.id} n={4} progress={step("verify")}>
        <VerifyBlock view={view} chart={<VerifyPidsChart host={host} id={cid} />} />
      </StepCard>
    </>
  );
}

function VerifyPidsChart({ host, id }: { host: string; id: string }) {
  const detail = useContainer(host, id, "1h");
  const fleet = useContainers();
  const live = fleet.data?.containers.find((c) => c.host === host && c.id === id);
  return detail.data ? (
    <PidsChart
      containerKey={`${host}/${id}`}
      range="1h"
      history={detail.data.history}
      events={detail.data.events}
      changes={detail.data.changes}
      live={live}
    />
  ) : null;
}

function VerifyBlock({ view, chart }: { view: RunbookResponse; chart: React.ReactNode }) {
  return <VerifyPanel run={view.run} verify={view.verify} chart={chart} />;
}
