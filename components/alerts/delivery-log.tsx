"use client";
import type { DeliveryRecord } from "@/server/alerts/types";

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
            <td>{new Date(d.createdAt).toLocaleTimeString()}</td>
            <td className="font-mono">{d.groupKey}</td>
            <td>
              {d.format} {d.url}
            </td>
            <td>{d.items.map((i) => `${i.kind}: ${i.targetLabel}`).join("; ")}</td>
            <td className={TONE[d.status]}>
              {d.status}
              {d.status === "retrying" ? ` (next ${new Date(d.notBefore).toLocaleTimeString()})` : ""}
            </td>
            <td>{d.attempts}</td>
            <td className="text-red-600">{d.lastError ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
