"use client";
import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { ActionButton } from "@/components/actions/action-dialog";
import { useQueueMessages, type MessageFilters } from "@/components/hooks/use-queue-messages";
import { DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryView } from "@/components/ui/query-state";
import { replaceSearch } from "@/components/ui/use-url-state";
import { fmtInt, plural } from "@/lib/format";
import type { BrowsedMessage } from "@/server/schemas/messages";
import { MessagePanel } from "./message-panel";

// Every message of the queue in the order workers will take them, a page at a time, with filters in the URL
// (?mtask=, ?mid=, ?mtext=, ?mcursor=) so a found message is a link; a side panel shows one message whole.

const PARAM = { task: "mtask", id: "mid", text: "mtext", cursor: "mcursor" } as const;
const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const time = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "—");

export function MessageBrowser({ broker, queue }: { broker: string; queue: string }) {
  const params = useSearchParams();
  const filters: MessageFilters = {
    task: params.get(PARAM.task) ?? "",
    id: params.get(PARAM.id) ?? "",
    text: params.get(PARAM.text) ?? "",
    cursor: params.get(PARAM.cursor) ?? "",
  };
  const page = useQueueMessages(broker, queue, filters);
  const [openTag, setOpenTag] = useState<string | null>(null);
  const [selected, setSelected] = useState<Map<string, BrowsedMessage>>(new Map());
  const data = page.data;
  const argsShown = data?.args.shown ?? false;
  const open = data?.messages.find((m) => m.deliveryTag === openTag) ?? null;

  const toggle = (m: BrowsedMessage) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (!m.deliveryTag) return prev;
      if (next.has(m.deliveryTag)) next.delete(m.deliveryTag);
      else next.set(m.deliveryTag, m);
      return next;
    });
  const columns = useMemo(
    () => messageColumns({ argsShown, selected, toggle, openMessage: (m) => setOpenTag(m.deliveryTag) }),
    [argsShown, selected],
  );
  const acted = () => {
    setSelected(new Map());
    setOpenTag(null);
    void page.refetch();
  };
  const picked = {
    messages: [...selected.values()].map((m) => ({ deliveryTag: m.deliveryTag, step: m.step, offset: m.offset })),
  };

  return (
    <Panel
      title="Messages"
      testId="message-browser"
      aside={
        data && (
          <span className="text-xs text-zinc-500" data-testid="message-searched">
            {fmtInt(data.depth)} in queue · searched {fmtInt(data.searched)}
            {data.reachedEnd ? " (to the end)" : ""}
          </span>
        )
      }
    >
      <form
        className="mb-3 flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const v = (k: string) => String(f.get(k) ?? "").trim() || null;
          replaceSearch({
            [PARAM.task]: v("task"),
            [PARAM.id]: v("id"),
            [PARAM.text]: v("text"),
            [PARAM.cursor]: null,
          });
        }}
      >
        <label className="text-xs">
          Task name
          <input
            name="task"
            defaultValue={filters.task}
            className={`${input} block`}
            data-testid="message-filter-task"
          />
        </label>
        <label className="text-xs">
          Task id (exact)
          <input name="id" defaultValue={filters.id} className={`${input} block`} />
        </label>
        <label className="text-xs">
          Arguments contain
          <input
            name="text"
            defaultValue={filters.text}
            disabled={!argsShown}
            title={argsShown ? undefined : (data?.args.reason ?? undefined)}
            className={`${input} block`}
          />
        </label>
        <button type="submit" className="rounded border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700">
          Find
        </button>
      </form>
      {data && !data.args.shown && (
        <p className="mb-2 text-xs text-zinc-500" data-testid="message-args-hidden">
          {data.args.reason}
          {data.textFilterIgnored ? " The argument filter was not applied." : ""}
        </p>
      )}
      {data?.cursorNote && (
        <p className="mb-2 text-xs text-amber-700 dark:text-amber-300" data-testid="message-cursor-note">
          {data.cursorNote}
        </p>
      )}
      {selected.size > 0 && (
        <div className="mb-2 flex flex-wrap items-center gap-2 text-sm" data-testid="message-selection">
          {plural(selected.size, "message")} selected
          <ActionButton
            action="queue.move-messages"
            target={{ broker, queue }}
            label={`Move ${selected.size}`}
            fields={[{ name: "to", label: "Target queue", type: "text", defaultValue: `${queue}.parked` }]}
            fixedParams={picked}
            onDone={acted}
            testId="messages-move-selected"
          />
          <ActionButton
            action="queue.quarantine-messages"
            target={{ broker, queue }}
            label={`Quarantine ${selected.size}`}
            fixedParams={picked}
            onDone={acted}
            testId="messages-quarantine-selected"
          />
          <button type="button" className="text-xs hover:underline" onClick={() => setSelected(new Map())}>
            Clear
          </button>
        </div>
      )}
      <QueryView query={page} what="the messages" loading="messages">
        {(data) => (
          <div className={open ? "grid gap-3 xl:grid-cols-[minmax(0,1fr)_28rem]" : ""}>
            <div className="min-w-0">
              <DataTable
                rows={data.messages}
                columns={columns}
                caption={`Messages of ${queue} in delivery order`}
                rowKey={(m) => `${m.step}:${m.offset}:${m.deliveryTag ?? ""}`}
                rowTestId={() => "message-row"}
                empty={
                  data.reachedEnd
                    ? "No message matches."
                    : `No match in the ${fmtInt(data.searched)} messages searched; search on for more.`
                }
              />
              <div className="mt-2 flex gap-2 text-sm">
                {filters.cursor && (
                  <button
                    type="button"
                    className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
                    onClick={() => replaceSearch({ [PARAM.cursor]: null })}
                  >
                    First page
                  </button>
                )}
                {data.nextCursor && (
                  <button
                    type="button"
                    data-testid="message-next"
                    className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
                    onClick={() => replaceSearch({ [PARAM.cursor]: data.nextCursor })}
                  >
                    {data.messages.length === 0 ? "Search on" : "Next page"}
                  </button>
                )}
              </div>
            </div>
            {open && (
              <MessagePanel
                broker={broker}
                queue={queue}
                message={open}
                onClose={() => setOpenTag(null)}
                onActed={acted}
              />
            )}
          </div>
        )}
      </QueryView>
    </Panel>
  );
}

function messageColumns(o: {
  argsShown: boolean;
  selected: Map<string, BrowsedMessage>;
  toggle: (m: BrowsedMessage) => void;
  openMessage: (m: BrowsedMessage) => void;
}): Column<BrowsedMessage>[] {
  const cols: Column<BrowsedMessage>[] = [
    {
      key: "pick",
      header: "",
      title: "Select",
      width: 36,
      cell: (m) => (
        <input
          type="checkbox"
          aria-label={`Select message ${m.position}`}
          disabled={!m.deliveryTag}
          checked={m.deliveryTag ? o.selected.has(m.deliveryTag) : false}
          onChange={() => o.toggle(m)}
        />
      ),
    },
    { key: "position", header: "#", width: 70, align: "right", cell: (m) => fmtInt(m.position) },
    {
      key: "task",
      header: "Task",
      width: 240,
      cell: (m) => (
        <button
          type="button"
          className="truncate font-mono text-blue-700 hover:underline dark:text-blue-300"
          data-testid="message-open"
          onClick={() => o.openMessage(m)}
        >
          {m.task ?? (m.parseError ? "(does not parse)" : "(no task)")}
        </button>
      ),
    },
    { key: "id", header: "Id", width: 280, cell: (m) => <span className="font-mono text-xs">{m.id ?? "—"}</span> },
    { key: "priority", header: "Prio", width: 50, align: "right", cell: (m) => m.priority ?? "—" },
    { key: "retries", header: "Retries", width: 60, align: "right", cell: (m) => m.retries ?? "—" },
    { key: "eta", header: "ETA", width: 150, cell: (m) => time(m.eta) },
    { key: "expires", header: "Expires", width: 150, cell: (m) => time(m.expires) },
    { key: "redelivered", header: "Redeliv.", width: 70, cell: (m) => (m.redelivered ? "yes" : "") },
    {
      key: "root",
      header: "Root / parent",
      width: 200,
      cell: (m) => (
        <span className="font-mono text-xs" title={`root ${m.rootId ?? "—"}, parent ${m.parentId ?? "—"}`}>
          {m.rootId && m.rootId !== m.id ? m.rootId.slice(0, 8) : "—"} / {m.parentId ? m.parentId.slice(0, 8) : "—"}
        </span>
      ),
    },
    { key: "size", header: "Bytes", width: 70, align: "right", cell: (m) => fmtInt(m.sizeBytes) },
    { key: "firstSeen", header: "First seen", width: 150, cell: (m) => time(m.firstSeen) },
  ];
  if (o.argsShown)
    cols.push({
      key: "args",
      header: "Arguments",
      width: 260,
      cell: (m) => <span className="truncate font-mono text-xs">{m.argsPreview ?? "—"}</span>,
    });
  return cols;
}
