"use client";
import type { DeliveryRecord } from "@/server/schemas/alerts";
import { Time } from "@/components/ui/time";
import { fmtClock } from "@/lib/format";

const TONE: Record<string, string> = {
  sent: "text-emerald-600",
  failed: "text-red-600",
  retrying: "text-amber-600",
  queued: "text-zinc-500",
};

// Every webhook message: what it carried, where, and whether it arrived (failures keep their last error).
export function DeliveryLog({ deliveries }: { deliveries: DeliveryRecord[] }) {
  if (deliveries.length === 0) return <p className="text-sm text-zinc-500">No notification sent yet.</p>;
  return (
    <>
      {/* A phone gets one card per message: seven columns do not fit 390 px without scrolling sideways. */}
      <ul className="divide-y divide-zinc-200 text-xs md:hidden dark:divide-zinc-800">
        {deliveries.map((d) => (
          <li key={d.id} className="py-2" data-status={d.status}>
            <div className="flex items-baseline justify-between gap-2">
              <span className={`font-medium ${TONE[d.status]}`}>{statusText(d)}</span>
              <Time ts={d.createdAt} className="text-zinc-500 tabular-nums" />
            </div>
            <div className="mt-0.5 font-mono break-all">{d.groupKey}</div>
            <div className="break-all text-zinc-600 dark:text-zinc-400">
              {d.format} {d.url}
            </div>
            <div className="break-words">{itemsText(d)}</div>
            <div className="text-zinc-500">
              {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
            </div>
            {d.lastError ? <div className="break-words text-red-600">{d.lastError}</div> : null}
          </li>
        ))}
      </ul>
      <div className="hidden overflow-x-auto md:block">
        <table className="w-full text-xs">
          <thead className="text-left text-zinc-500">
            <tr>
              <th>Created</th>
              <th>Group</th>
              <th>To</th>
              <th>Items</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr
                key={d.id}
                className="border-t border-zinc-200 dark:border-zinc-800"
                data-testid="delivery-row"
                data-status={d.status}
              >
                <td>
                  <Time ts={d.createdAt} />
                </td>
                <td className="font-mono">{d.groupKey}</td>
                <td>
                  {d.format} {d.url}
                </td>
                <td>{itemsText(d)}</td>
                <td className={TONE[d.status]}>{statusText(d)}</td>
                <td>{d.attempts}</td>
                <td className="text-red-600">{d.lastError ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function itemsText(d: DeliveryRecord): string {
  return d.items.map((i) => `${i.kind}: ${i.targetLabel}`).join("; ");
}

function statusText(d: DeliveryRecord): string {
  return d.status === "retrying" ? `retrying (next ${fmtClock(d.notBefore)})` : d.status;
}
