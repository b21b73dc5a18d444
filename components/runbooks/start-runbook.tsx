"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { startRunbook } from "./start";

type Start = Parameters<typeof startRunbook>[0];

// Landing for links from webhooks and other pages (/runbooks/new?alert=… or ?kind=…&host=…&id=…): one click starts
// the run, or joins the one already open for that target. Starting is a change, so it never happens on page load.
export function StartRunbook({ request, describe }: { request: Start | null; describe: string }) {
  const canAct = useCanAct();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!request) return <p className="text-sm text-red-600">The link names no alert, container or queue.</p>;
  async function go() {
    setBusy(true);
    try {
      router.push(`/runbooks/${(await startRunbook(request!)).id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }
  return (
    <div className="space-y-2 text-sm">
      <p>{describe}</p>
      {canAct ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void go()}
          data-testid="runbook-start"
          className="rounded border border-blue-600 bg-blue-600 px-3 py-1.5 text-white"
        >
          Open the runbook
        </button>
      ) : (
        <p className="text-zinc-500">Starting a runbook needs the operator role.</p>
      )}
      {error && (
        <p role="alert" className="text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
