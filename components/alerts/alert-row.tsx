"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { startRunbook } from "@/components/runbooks/start";
import { useCanAct } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import { fmtAge, fmtSince } from "@/lib/format";
import { runbookFor, type AlertRecord } from "@/server/schemas/alerts";
import { Time } from "@/components/ui/time";

const STATE_TONE: Record<string, string> = {
  firing: "border-red-600/60 text-red-700 dark:text-red-300",
  acknowledged: "border-amber-500/60 text-amber-700 dark:text-amber-300",
  silenced: "border-zinc-400/60 text-zinc-500",
  resolved: "border-emerald-600/50 text-emerald-700 dark:text-emerald-300",
  pending: "border-zinc-400/60 text-zinc-500",
};
const btn = "rounded border border-zinc-300 px-2 py-1 text-xs disabled:opacity-50 dark:border-zinc-700";

// One alert: state, what and where, who acknowledged or silenced it, and the way into its runbook.
export function AlertRow({ alert: a, ruleTitle }: { alert: AlertRecord; ruleTitle: string }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [silencing, setSilencing] = useState(false);
  const [busy, setBusy] = useState(false);
  const rb = runbookFor(a.target);

  async function run(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ["alerts"] });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function silence(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const until = Date.now() + Number(f.get("minutes")) * 60_000;
    await run(() => sendJson(`/api/alerts/${a.id}/silence`, { until, comment: String(f.get("comment") ?? "") }));
    setSilencing(false);
  }

  return (
    <li
      className="py-2 text-sm"
      data-testid="alert-row"
      data-alert-id={a.id}
      data-rule={a.rule}
      data-state={a.state}
      data-target={a.targetLabel}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className={`rounded-full border px-2 py-0.5 text-xs font-medium ${STATE_TONE[a.state] ?? ""}`}>
          {a.state}
        </span>
        <span className="font-medium">{ruleTitle}</span>
        {a.severity !== "critical" && <span className="text-xs text-zinc-500">{a.severity}</span>}
        <span className="ml-auto text-xs text-zinc-500">
          {a.state === "resolved"
            ? `resolved ${fmtAge(a.resolvedAt)}`
            : a.firedAt
              ? `firing for ${fmtSince(a.firedAt)}`
              : `pending for ${fmtSince(a.pendingSince)}`}
        </span>
      </div>
      <p className="mt-1">{a.summary}</p>
      {a.ackedBy && (
        <p className="text-xs text-zinc-500">
          Acknowledged by {a.ackedBy} {fmtAge(a.ackedAt)}
        </p>
      )}
      {a.state === "silenced" && (
        <p className="text-xs text-zinc-500">
          Silenced by {a.silencedBy} until <Time ts={a.silencedUntil ?? 0} />: {a.silenceComment}
        </p>
      )}
      <div className="mt-1 flex flex-wrap gap-2">
        {rb && (
          <button
            type="button"
            className={btn}
            data-testid="alert-open-runbook"
            disabled={busy || !canAct}
            onClick={() => void run(async () => router.push(`/runbooks/${(await startRunbook({ alertId: a.id })).id}`))}
          >
            Open runbook
          </button>
        )}
        {canAct && (a.state === "firing" || a.state === "silenced") && (
          <button
            type="button"
            className={btn}
            disabled={busy}
            data-testid="alert-ack"
            onClick={() => void run(() => sendJson(`/api/alerts/${a.id}/ack`, {}))}
          >
            Acknowledge
          </button>
        )}
        {canAct && a.state !== "resolved" && a.state !== "silenced" && (
          <button
            type="button"
            className={btn}
            disabled={busy}
            data-testid="alert-silence"
            onClick={() => setSilencing((s) => !s)}
          >
            Silence…
          </button>
        )}
        {canAct && a.state === "silenced" && (
          <button
            type="button"
            className={btn}
            disabled={busy}
            onClick={() => void run(() => sendJson(`/api/alerts/${a.id}/silence`, {}, "DELETE"))}
          >
            Lift silence
          </button>
        )}
      </div>
      {silencing && (
        <form onSubmit={(e) => void silence(e)} className="mt-2 flex flex-wrap items-end gap-2 text-xs">
          <label>
            For (minutes){" "}
            <input
              name="minutes"
              type="number"
              min={1}
              max={43200}
              defaultValue={60}
              required
              className="w-20 rounded border px-1 dark:bg-zinc-950"
            />
          </label>
          <label className="grow">
            Comment{" "}
            <input name="comment" required minLength={3} className="w-full rounded border px-1 dark:bg-zinc-950" />
          </label>
          <button type="submit" className={btn} disabled={busy}>
            Silence
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </li>
  );
}
