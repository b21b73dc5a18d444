"use client";
import type { DeliveryRecord } from "@/server/schemas/alerts";
import { CellText, DataTable, type Column } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { fmtClock } from "@/lib/format";

const TONE: Record<string, string> = {
  sent: "text-emerald-600",
  failed: "text-red-600",
  retrying: "text-amber-600",
  queued: "text-zinc-500",
};

const COLUMNS: Column<DeliveryRecord>[] = [
  { key: "created", header: "Created", width: 150, cell: (d) => <Time ts={d.createdAt} /> },
  { key: "group", header: "Group", width: 200, cell: (d) => <span className="font-mono">{d.groupKey}</span> },
  { key: "to", header: "To", width: 220, cell: (d) => `${d.format} ${d.url}` },
  { key: "items", header: "Items", width: 220, cell: itemsText },
  {
    key: "status",
    header: "Status",
    width: 150,
    cell: (d) => <span className={TONE[d.status]}>{statusText(d)}</span>,
  },
  { key: "attempts", header: "Attempts", width: 70, align: "right", cell: (d) => d.attempts },
  {
    key: "error",
    header: "Last error",
    width: 240,
    cell: (d) => <CellText value={d.lastError ?? ""} className="text-red-600" />,
  },
];

// A phone gets one card per message: seven columns do not fit 390 px without scrolling sideways.
function DeliveryCard(d: DeliveryRecord) {
  return (
    <div className="text-xs">
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
    </div>
  );
}

// Every webhook message: what it carried, where, and whether it arrived (failures keep their last error).
export function DeliveryLog({ deliveries }: { deliveries: DeliveryRecord[] }) {
  if (deliveries.length === 0) return <p className="text-sm text-zinc-500">No notification sent yet.</p>;
  return (
    <DataTable
      rows={deliveries}
      columns={COLUMNS}
      caption="Webhook deliveries"
      rowKey={(d) => d.id}
      rowTestId={() => "delivery-row"}
      cardTestId={() => "delivery-row"}
      rowData={(d) => ({ status: d.status })}
      card={DeliveryCard}
    />
  );
}

function itemsText(d: DeliveryRecord): string {
  return d.items.map((i) => `${i.kind}: ${i.targetLabel}`).join("; ");
}

function statusText(d: DeliveryRecord): string {
  return d.status === "retrying" ? `retrying (next ${fmtClock(d.notBefore)})` : d.status;
}
