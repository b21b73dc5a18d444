"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import { CopyButton } from "@/components/ui/middle-truncate";
import type { BrowsedMessage } from "@/server/schemas/messages";

// A message's full envelope beside the list, with a copy button and the per-message actions.
export function MessagePanel({
  broker,
  queue,
  message,
  onClose,
  onActed,
}: {
  broker: string;
  queue: string;
  message: BrowsedMessage;
  onClose: () => void;
  onActed: () => void;
}) {
  const text = JSON.stringify(message.envelope, null, 2);
  const picked = { messages: [{ deliveryTag: message.deliveryTag, step: message.step, offset: message.offset }] };
  return (
    <aside
      aria-label="Message"
      data-testid="message-panel"
      className="min-w-0 space-y-3 rounded-lg border border-zinc-300 bg-white p-3 dark:border-zinc-700 dark:bg-zinc-950"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="min-w-0 font-mono text-sm font-semibold break-all">{message.task ?? "(not a task message)"}</h3>
        <button type="button" className="text-xs text-zinc-500 hover:underline" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="text-xs text-zinc-500">
        position {message.position} · priority step {message.step} · {message.sizeBytes} bytes · id{" "}
        <span className="font-mono">{message.id ?? "—"}</span>
      </p>
      {message.parseError && (
        <p className="text-sm text-red-700 dark:text-red-300" data-testid="message-parse-error">
          Does not parse: {message.parseError}
        </p>
      )}
      {message.deliveryTag ? (
        <div className="flex flex-wrap gap-2">
          <ActionButton
            action="queue.move-messages"
            target={{ broker, queue }}
            label="Move"
            fields={[{ name: "to", label: "Target queue", type: "text", defaultValue: `${queue}.parked` }]}
            fixedParams={picked}
            onDone={onActed}
            testId="message-move"
          />
          <ActionButton
            action="queue.quarantine-messages"
            target={{ broker, queue }}
            label="Quarantine"
            fixedParams={picked}
            onDone={onActed}
            testId="message-quarantine"
          />
        </div>
      ) : (
        <p className="text-xs text-zinc-500">No delivery tag: this message cannot be picked out by the console.</p>
      )}
      <div className="flex items-center justify-between">
        <h4 className="text-xs font-semibold text-zinc-500">Envelope</h4>
        <CopyButton value={text} size="md" testId="message-copy" />
      </div>
      <pre
        data-testid="message-envelope"
        className="max-h-[60vh] overflow-auto rounded bg-zinc-100 p-2 text-xs whitespace-pre-wrap break-all dark:bg-zinc-900"
      >
        {text}
      </pre>
    </aside>
  );
}
