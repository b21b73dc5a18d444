"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useRef, useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import { ActionProgressLine } from "./action-progress";
import type { PreviewResponse, RunResponse } from "@/server/schemas/actions";
import { readParams, type FieldSpec, type ParamValues } from "./types";
import { DURATION_PATTERN, fmtDurationInput } from "@/lib/format";

// One dialog for every action: parameters, then the server's preview (what changes, warnings, blockers), a required
// reason, the target's name typed again for destructive actions, then the verified outcome with its audit id.
// Native <dialog>: focus moves in, Esc closes, Tab stays inside.

export interface ActionButtonProps {
  action: string;
  target: Record<string, unknown>;
  label: string;
  fields?: FieldSpec[];
  /** Params that are not editable (e.g. the queue to add). */
  fixedParams?: ParamValues;
  variant?: "default" | "danger";
  onDone?: (r: RunResponse) => void;
  testId?: string;
}

const btn = "rounded border px-3 py-1.5 text-sm disabled:opacity-50";
const input = "w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

type DialogRequest = Omit<ActionButtonProps, "variant" | "testId">;

const OpenDialog = createContext<((r: DialogRequest) => void) | null>(null);

/**
 * The one action dialog of the page, above every button that opens it. A button can disappear while its action runs
 * (a restore removes the quarantine's row, a revert removes the banner, a refresh re-renders a runbook step): the
 * dialog, its result and its audit id stay until the operator closes them.
 */
export function ActionDialogHost({ children }: { children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [req, setReq] = useState<{ n: number; r: DialogRequest } | null>(null);
  const open = useCallback((r: DialogRequest) => {
    setReq((prev) => ({ n: (prev?.n ?? 0) + 1, r }));
    queueMicrotask(() => {
      if (ref.current && !ref.current.open) ref.current.showModal();
    });
  }, []);
  return (
    <OpenDialog.Provider value={open}>
      {children}
      <dialog
        ref={ref}
        onClose={() => setReq(null)}
        aria-label={req?.r.label}
        className="m-auto w-[min(40rem,95vw)] rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 backdrop:bg-black/60 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        {req && (
          <DialogBody
            key={req.n}
            action={req.r.action}
            target={req.r.target}
            label={req.r.label}
            fields={req.r.fields ?? []}
            fixedParams={req.r.fixedParams ?? {}}
            close={() => ref.current?.close()}
            onDone={req.r.onDone}
          />
        )}
      </dialog>
    </OpenDialog.Provider>
  );
}

export function ActionButton({
  action,
  target,
  label,
  fields = [],
  fixedParams = {},
  variant = "default",
  onDone,
  testId,
}: ActionButtonProps) {
  const canAct = useCanAct();
  const openDialog = useContext(OpenDialog);
  if (!canAct) return null;
  if (!openDialog) throw new Error("ActionButton needs an ActionDialogHost above it (the console shell has one).");
  return (
    <button
      type="button"
      data-testid={testId ?? `action-${action}`}
      className={`${btn} ${variant === "danger" ? "border-red-600/60 text-red-700 dark:text-red-300" : "border-zinc-300 dark:border-zinc-700"}`}
      onClick={() => openDialog({ action, target, label, fields, fixedParams, onDone })}
    >
      {label}
    </button>
  );
}

function DialogBody({
  action,
  target,
  label,
  fields,
  fixedParams,
  close,
  onDone,
}: Omit<ActionButtonProps, "variant" | "testId"> & {
  fields: FieldSpec[];
  fixedParams: ParamValues;
  close: () => void;
}) {
  const qc = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [params, setParams] = useState<ParamValues | null>(fields.length === 0 ? fixedParams : null);
  const [result, setResult] = useState<RunResponse | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The preview reads live state on the server; never cached, so reopening the dialog shows the present.
  const previewQuery = useQuery({
    queryKey: ["action-preview", action, target, params],
    queryFn: () => sendJson<PreviewResponse>("/api/actions/preview", { action, target, params }),
    enabled: params !== null,
    gcTime: 0,
    staleTime: 0,
    retry: false,
  });
  const preview = previewQuery.data ?? null;
  const error = runError ?? previewQuery.error?.message ?? null;

  async function run(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setRunError(null);
    qc.setQueryData(["action-progress"], null); // a finished run's last progress must not show for this one
    try {
      const r = await sendJson<RunResponse>("/api/actions", {
        action,
        target,
        params,
        reason: String(f.get("reason") ?? ""),
        confirm: f.get("confirm") ?? undefined,
      });
      setResult(r);
      onDone?.(r);
      void qc.invalidateQueries();
    } catch (err) {
      setRunError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3 p-4" data-testid="action-dialog">
      <div className="flex items-start justify-between gap-4">
        <h2 className="text-lg font-semibold">{label}</h2>
        <button type="button" onClick={close} className="rounded px-2 text-sm" aria-label="Close">
          ✕
        </button>
      </div>
      {/* The form stays mounted while the preview loads: a preview the server refuses (a missing or invalid value)
          shows its message right here with the values kept, instead of losing the form. */}
      {fields.length > 0 && !preview && !result && (
        <form
          ref={formRef}
          className="space-y-2"
          hidden={params !== null && !previewQuery.isError}
          onSubmit={(e) => {
            e.preventDefault();
            const next = readParams(fields, new FormData(e.currentTarget), fixedParams);
            if (JSON.stringify(next) === JSON.stringify(params)) void previewQuery.refetch();
            else setParams(next);
          }}
        >
          {fields.map((f) => (
            <label key={f.name} className={f.type === "checkbox" ? "flex items-center gap-2 text-sm" : "block text-sm"}>
              {f.type !== "checkbox" && f.label}
              {f.type === "select" ? (
                <select name={f.name} defaultValue={String(f.defaultValue ?? "")} className={input}>
                  {f.options?.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : f.type === "checkbox" ? (
                <>
                  <input type="checkbox" name={f.name} defaultChecked={Boolean(f.defaultValue)} /> {f.label}
                </>
              ) : f.type === "duration" ? (
                <input
                  name={f.name}
                  type="text"
                  inputMode="text"
                  pattern={DURATION_PATTERN}
                  title="A duration: 90s, 15m, 2h or 7d (a bare number is seconds)"
                  defaultValue={typeof f.defaultValue === "number" ? fmtDurationInput(f.defaultValue) : ""}
                  required={!f.nullable}
                  className={input}
                  data-testid={`param-${f.name}`}
                />
              ) : (
                <input
                  name={f.name}
                  type={f.type}
                  defaultValue={f.defaultValue === undefined ? "" : String(f.defaultValue)}
                  min={f.min}
                  max={f.max}
                  required={f.type === "number" && !f.nullable}
                  className={input}
                  data-testid={`param-${f.name}`}
                />
              )}
              {f.type === "duration" && (f.min !== undefined || f.max !== undefined) && (
                <span className="block text-xs text-zinc-500">
                  e.g. 15m, 2h, 7d
                  {f.min !== undefined && f.max !== undefined
                    ? `; ${fmtDurationInput(f.min)} to ${fmtDurationInput(f.max)}`
                    : ""}
                </span>
              )}
              {f.help && <span className="block text-xs text-zinc-500">{f.help}</span>}
            </label>
          ))}
          <button
            type="submit"
            className={`${btn} border-blue-600 bg-blue-600 text-white`}
            data-testid="action-preview"
          >
            Preview
          </button>
        </form>
      )}
      {params && !preview && !error && <p className="text-sm text-zinc-500">Reading the current state…</p>}
      {preview && !result && (
        <form onSubmit={run} className="space-y-3">
          <section aria-label="Preview" data-testid="action-preview-body" className="space-y-2 text-sm">
            <p className="font-medium">{preview.summary}</p>
            {preview.changes.length > 0 && (
              <table className="w-full text-xs">
                <thead className="text-left text-zinc-500">
                  <tr>
                    <th>What</th>
                    <th>Now</th>
                    <th>After</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.changes.map((c) => (
                    <tr key={c.what}>
                      <td>{c.what}</td>
                      <td className="font-mono">{show(c.from)}</td>
                      <td className="font-mono">{show(c.to)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {preview.warnings.filter(Boolean).map((w) => (
              <p key={w} className="rounded border border-amber-500/50 bg-amber-500/10 p-2 text-xs" role="note">
                {w}
              </p>
            ))}
            {preview.blockers.map((b) => (
              <p
                key={b}
                className="rounded border border-red-600/60 bg-red-600/10 p-2 text-xs"
                role="alert"
                data-testid="action-blocker"
              >
                Blocked: {b}
              </p>
            ))}
          </section>
          <label className="block text-sm">
            Reason (free text or ticket id)
            <input name="reason" required minLength={3} className={input} data-testid="action-reason" autoFocus />
          </label>
          {preview.destructive && preview.confirmText && (
            <label className="block text-sm">
              Type <span className="font-mono">{preview.confirmText}</span> to confirm
              <input
                name="confirm"
                required
                pattern={preview.confirmText.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}
                className={input}
                data-testid="action-confirm"
                autoComplete="off"
              />
            </label>
          )}
          <div className="flex gap-2">
            <button
              type="submit"
              disabled={busy || preview.blockers.length > 0}
              className={`${btn} border-blue-600 bg-blue-600 text-white`}
              data-testid="action-run"
            >
              {busy ? "Running…" : "Run"}
            </button>
            <button type="button" onClick={close} className={`${btn} border-zinc-300 dark:border-zinc-700`}>
              Cancel
            </button>
          </div>
          {busy && <ActionProgressLine action={action} />}
        </form>
      )}
      {result && (
        <section
          aria-label="Result"
          data-testid="action-result"
          data-status={result.status}
          className="space-y-1 text-sm"
          role="status"
        >
          <p
            className={
              result.status === "succeeded"
                ? "text-emerald-600 dark:text-emerald-400"
                : result.status === "failed"
                  ? "text-red-600 dark:text-red-400"
                  : "text-amber-600"
            }
          >
            {result.status === "succeeded"
              ? "Done and verified"
              : result.status === "unverified"
                ? "Done, but verify did not confirm it"
                : "Failed"}
            : {result.result ?? result.error}
          </p>
          {result.verify && <p data-testid="action-verify">Verify: {result.verify.finding}</p>}
          <p className="text-xs text-zinc-500">
            Audit id{" "}
            <span className="font-mono" data-testid="action-audit-id">
              {result.auditId}
            </span>
          </p>
          <button type="button" onClick={close} className={`${btn} border-zinc-300 dark:border-zinc-700`}>
            Close
          </button>
        </section>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="action-error">
          {error}
        </p>
      )}
    </div>
  );
}
