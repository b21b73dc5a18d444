"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import { Panel } from "@/components/ui/panel";
import { fmtAge, plural } from "@/lib/format";
import type { QueueDetailResponse } from "@/server/schemas/api";
import { Time } from "@/components/ui/time";

// A queue's purges: what each quarantine holds, how old it is, when it expires, and a Restore button for each one
// that still holds messages (nobody types a generated name at 3 a.m.).
export function QuarantineList({
  broker,
  queue,
  quarantines,
}: {
  broker: string;
  queue: string;
  quarantines: QueueDetailResponse["quarantines"];
}) {
  if (quarantines.length === 0) return null;
  return (
    <Panel
      title="Quarantines"
      testId="quarantines"
      aside={<span className="text-xs text-zinc-500">purged messages, kept until they expire</span>}
    >
      <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        {quarantines.map((q) => (
          <li
            key={q.quarantine}
            className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 py-2"
            data-testid="quarantine-row"
            data-quarantine={q.quarantine}
          >
            <span className="font-semibold tabular-nums">{plural(q.depth, "message")}</span>
            <span className="text-zinc-500">purged {fmtAge(Date.parse(q.created))}</span>
            <span
              className={q.expired ? "font-semibold text-amber-700 dark:text-amber-300" : "text-zinc-500"}
              title={q.expiresAt}
            >
              {q.expired ? (
                "expired (kept; a human deletes it)"
              ) : (
                <>
                  expires <Time ts={q.expiresAt} />
                </>
              )}
            </span>
            {q.state === "restored" && q.depth === 0 && <span className="text-zinc-500">restored</span>}
            <span className="min-w-0 truncate font-mono text-xs text-zinc-500" title={q.quarantine}>
              {q.quarantine}
            </span>
            {q.depth > 0 && (
              <span className="ml-auto">
                <ActionButton
                  action="queue.restore-quarantine"
                  target={{ broker, queue }}
                  label={`Restore ${plural(q.depth, "message")}`}
                  fixedParams={{ quarantine: q.quarantine }}
                  testId={`restore-${q.quarantine}`}
                />
              </span>
            )}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
