"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { ActionButton } from "@/components/actions/action-dialog";
import { useFailures } from "@/components/hooks/use-failures";
import { CellText, DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { fmtAge, fmtInt, plural } from "@/lib/format";
import { failuresHref } from "@/lib/segments";
import type { BackendState, FailureGroup } from "@/server/schemas/failures";
import { FailureItem } from "./failure-item";

// The Failures page: which backends are read, groups by task and exception type (a click filters), then the
// failures themselves with their traceback on demand and a retry where the backend recorded enough to rebuild it.

const FILTERS = ["broker", "queue", "worker", "task", "exc", "status"] as const;
/** The retry action takes at most this many tasks at once (server/actions/task.ts). */
const BULK_MAX = 100;

export function FailuresView() {
  const params = useSearchParams();
  const filters = useMemo(
    () => Object.fromEntries(FILTERS.map((k) => [k, params.get(k)]).filter(([, v]) => v)) as Record<string, string>,
    [params],
  );
  const search = new URLSearchParams(filters).toString();
  const q = useFailures(search);

  if (!q.data) return <QueryFallback query={q} what="failures" />;
  const { backends, groups, failures, total } = q.data;
  const retryable = failures.filter((f) => !f.retryBlocker && f.status !== "RETRY").slice(0, BULK_MAX);
  const byBroker = new Map<string, string[]>();
  for (const f of retryable) byBroker.set(f.broker, [...(byBroker.get(f.broker) ?? []), f.taskId]);

  return (
    <div className="min-w-0 space-y-4">
      <StaleNote error={q.error} />
      <Backends backends={backends} />
      {Object.keys(filters).length > 0 && (
        <p className="text-sm" data-testid="failure-filters">
          Showing{" "}
          {Object.entries(filters)
            .map(([k, v]) => `${k} = ${v}`)
            .join(", ")}{" "}
          ·{" "}
          <Link href="/failures" className="text-blue-700 underline dark:text-blue-300">
            show all
          </Link>
        </p>
      )}
      <Panel
        title="By task and exception"
        testId="failure-groups"
        aside={<span className="text-xs text-zinc-500">{plural(groups.length, "group")}</span>}
      >
        <Groups groups={groups} filters={filters} />
      </Panel>
      <Panel
        title="Failures"
        testId="failure-list"
        aside={
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-xs text-zinc-500 tabular-nums">
              {fmtInt(failures.length)} of {fmtInt(total)} shown
            </span>
            {[...byBroker].map(([broker, ids]) =>
              ids.length > 1 ? (
                <ActionButton
                  key={broker}
                  action="task.retry"
                  target={{ broker, taskIds: ids }}
                  label={`Retry ${ids.length} shown on ${broker}`}
                  testId={`retry-bulk-${broker}`}
                />
              ) : null,
            )}
          </div>
        }
      >
        {failures.length === 0 ? (
          <p className="text-sm text-zinc-500">
            {backends.some((b) => b.configured)
              ? "No failed, retried or revoked task recorded."
              : "No result backend is configured (LEAKWATCH_RESULT_BACKENDS), so no task outcome is read."}
          </p>
        ) : (
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {failures.map((f) => (
              <FailureItem key={`${f.broker}/${f.taskId}`} f={f} showArguments={q.data.showArguments} />
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function Backends({ backends }: { backends: BackendState[] }) {
  return (
    <ul className="space-y-1 text-sm" aria-label="Result backends" data-testid="result-backends">
      {backends.map((b) => (
        <li key={b.broker} className="break-words">
          <span className="font-medium">{b.broker}</span>:{" "}
          {!b.configured ? (
            <span className="text-zinc-500">no result backend configured</span>
          ) : b.ok === false ? (
            <span className="text-red-700 dark:text-red-300">
              {b.where} cannot be read: {b.error} (failures already recorded stay listed)
            </span>
          ) : (
            <span className="text-zinc-600 dark:text-zinc-400">
              {b.where}, {b.lastPassAt ? `read ${fmtAge(b.lastPassAt)}` : "not read yet"}
              {b.walksCompleted > 0 ? `; ${plural(b.walksCompleted, "full walk")} of its keys` : ""}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function groupColumns(filters: Record<string, string>): Column<FailureGroup>[] {
  return [
    {
      key: "task",
      header: "Task",
      width: 280,
      cell: (g) => (
        <Link
          href={failuresHref({ ...filters, broker: g.broker, task: g.taskName, exc: g.excType })}
          className="text-blue-700 underline dark:text-blue-300"
          title={g.taskName ?? undefined}
        >
          {g.taskName ?? "(task name not recorded)"}
        </Link>
      ),
    },
    {
      key: "exc",
      header: "Exception",
      width: 240,
      cell: (g) => <CellText value={g.excType ?? "—"} mono />,
    },
    { key: "count", header: "Count", width: 80, align: "right", cell: (g) => fmtInt(g.count) },
    { key: "hourly", header: "Last 24 h", width: 160, align: "right", cell: (g) => <HourBars hourly={g.hourly} /> },
  ];
}

function Groups({ groups, filters }: { groups: FailureGroup[]; filters: Record<string, string> }) {
  const columns = useMemo(() => groupColumns(filters), [filters]);
  if (groups.length === 0) return <p className="text-sm text-zinc-500">Nothing to group.</p>;
  return (
    <DataTable
      rows={groups}
      columns={columns}
      caption="Failures grouped by task and exception type"
      rowKey={(g) => `${g.broker}/${g.taskName}/${g.excType}`}
      rowTestId={() => "failure-group"}
      cardTestId={() => "failure-group"}
    />
  );
}

/** 24 hourly counts as small bars (failures over time), with the numbers for screen readers. */
function HourBars({ hourly }: { hourly: number[] }) {
  const max = Math.max(1, ...hourly);
  return (
    <span
      className="inline-flex h-4 items-end gap-px"
      role="img"
      aria-label={`per hour over the last 24 hours: ${hourly.join(", ")}`}
    >
      {hourly.map((n, i) => (
        <span
          key={i}
          className={n ? "w-1 bg-red-500/70" : "w-1 bg-zinc-400/30"}
          style={{ height: `${n ? Math.max(15, (n / max) * 100) : 8}%` }}
        />
      ))}
    </span>
  );
}
