import { DataTable, type Column } from "@/components/ui/data-table";
import { Fact, Panel } from "@/components/ui/panel";
import { fmtInt, plural } from "@/lib/format";
import type { QueueDetailResponse } from "@/server/schemas/api";

type TaskGroup = NonNullable<QueueDetailResponse["composition"]>["groups"][number];

function compositionColumns(sampled: number): Column<TaskGroup>[] {
  return [
    {
      key: "task",
      header: "Task",
      width: 260,
      wrap: true,
      cell: (g) => <span className="font-mono text-xs">{g.task}</span>,
    },
    { key: "count", header: "Count", width: 80, align: "right", cell: (g) => fmtInt(g.count) },
    {
      key: "share",
      header: "Share",
      width: 70,
      align: "right",
      cell: (g) => (sampled > 0 ? `${Math.round((g.count / sampled) * 100)}%` : "—"),
    },
  ];
}

// What the backlog is made of (a sample of the queue, read without consuming) and what runs next.
export function Composition({
  composition,
  onShowArgs,
  argsRequested = false,
}: {
  composition: QueueDetailResponse["composition"];
  onShowArgs?: () => void;
  argsRequested?: boolean;
}) {
  if (!composition) {
    return (
      <Panel title="Backlog composition" testId="composition">
        <p className="text-sm text-zinc-500">Not sampled: the queue is empty or the broker is down.</p>
      </Panel>
    );
  }
  const { sampled, groups, next, errors } = composition;
  const sorted = [...groups].sort((a, b) => b.count - a.count);
  return (
    <Panel
      title="Backlog composition"
      testId="composition"
      aside={
        <span className="text-xs text-zinc-500 tabular-nums">
          sampled {plural(sampled, "message")}
          {errors > 0 ? ` · ${fmtInt(errors)} unreadable` : ""}
        </span>
      }
    >
      <DataTable
        rows={sorted}
        columns={compositionColumns(sampled)}
        caption="Tasks in the sampled backlog"
        rowKey={(g) => g.task}
        empty="No messages in the sample."
      />
      <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">Next message</h3>
      {next ? (
        <dl data-testid="next-message">
          <Fact label="Task">
            <code className="font-mono text-xs">{next.task ?? "—"}</code>
          </Fact>
          <Fact label="Id">
            <code className="font-mono text-xs">{next.id ?? "—"}</code>
          </Fact>
          <Fact label="Retries">{fmtInt(next.retries)}</Fact>
          <Fact label="ETA">{next.eta ?? "—"}</Fact>
          <Fact label="Priority">{next.priority ?? "—"}</Fact>
          {next.args === undefined && onShowArgs && (
            <button
              type="button"
              onClick={onShowArgs}
              className="mt-2 rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700"
            >
              Show task arguments (admin; may contain secrets)
            </button>
          )}
          {next.args === undefined && argsRequested && (
            <p className="pt-2 text-xs text-zinc-500">
              Task arguments are not shown: the console is configured to hide them.
            </p>
          )}
          {next.args !== undefined && (
            <div className="pt-2 text-sm">
              <div className="text-zinc-500">Args</div>
              <pre className="mt-1 max-h-48 overflow-auto rounded bg-zinc-100 p-2 font-mono text-xs break-all whitespace-pre-wrap dark:bg-zinc-900">
                {JSON.stringify(next.args, null, 2)}
              </pre>
            </div>
          )}
        </dl>
      ) : (
        <p className="text-sm text-zinc-500">The queue is empty.</p>
      )}
    </Panel>
  );
}
