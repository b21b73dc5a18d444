import { Fact, Panel } from "@/components/ui/panel";
import { fmtInt, plural } from "@/lib/format";
import type { QueueDetailResponse } from "@/server/schemas/api";

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
      <div>
        <table className="w-full text-sm">
          <thead className="text-xs text-zinc-500">
            <tr>
              <th scope="col" className="py-1 text-left font-medium">
                Task
              </th>
              <th scope="col" className="text-right font-medium">
                Count
              </th>
              <th scope="col" className="text-right font-medium">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((g) => (
              <tr key={g.task} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1 pr-2 font-mono text-xs break-all">{g.task}</td>
                <td className="text-right tabular-nums">{fmtInt(g.count)}</td>
                <td className="text-right tabular-nums">
                  {sampled > 0 ? `${Math.round((g.count / sampled) * 100)}%` : "—"}
                </td>
              </tr>
            ))}
            {sorted.length === 0 && (
              <tr>
                <td colSpan={3} className="py-2 text-zinc-500">
                  No messages in the sample.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
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
