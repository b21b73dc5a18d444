"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSession } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import { RULE_META, type AlertRule } from "@/server/schemas/alerts";
import { DURATION_PATTERN, fmtDurationInput, parseDuration } from "@/lib/format";

const input =
  "w-24 max-w-full rounded border border-zinc-300 bg-white px-1 py-0.5 text-xs dark:border-zinc-700 dark:bg-zinc-950";

// One grid for the header and every rule: columns from md up; on a phone each rule stacks into a card whose
// fields carry their own labels, so nothing scrolls sideways at 390 px.
const GRID =
  "grid grid-cols-3 gap-x-3 gap-y-2 md:grid-cols-[minmax(0,2fr)_2.5rem_6.5rem_7rem_minmax(0,1.6fr)_4.5rem] md:items-start";
const phoneLabel = "block text-xs text-zinc-500 md:sr-only";

// Rules with their settings; admins edit them (each save is audited).
export function RulesTable({ rules }: { rules: AlertRule[] }) {
  const s = useSession();
  const editable = s.role === "admin" && !s.readOnly;
  return (
    <div className="text-sm" role="group" aria-label="Alert rules">
      <div aria-hidden className={`${GRID} hidden pb-1 text-left text-xs text-zinc-500 md:grid`}>
        <span>Rule</span>
        <span>On</span>
        <span>For</span>
        <span>Severity</span>
        <span>Settings</span>
        <span />
      </div>
      <ul>
        {rules.map((r) => (
          <RuleRow key={r.id} rule={r} editable={editable} />
        ))}
      </ul>
    </div>
  );
}

function RuleRow({ rule: r, editable }: { rule: AlertRule; editable: boolean }) {
  const qc = useQueryClient();
  const [msg, setMsg] = useState<string | null>(null);
  const meta = RULE_META[r.id];
  async function save(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const params: Record<string, number | null> = {};
    for (const k of Object.keys(meta.params)) {
      const raw = String(f.get(k) ?? "");
      params[k] = raw === "" ? null : Number(raw);
    }
    try {
      await sendJson(
        `/api/alerts/rules/${r.id}`,
        {
          enabled: f.get("enabled") === "on",
          forSeconds: parseDuration(String(f.get("forSeconds") ?? "")) ?? 0,
          severity: String(f.get("severity")),
          params,
        },
        "PUT",
      );
      setMsg("saved");
      await qc.invalidateQueries({ queryKey: ["alerts"] });
    } catch (err) {
      setMsg((err as Error).message);
    }
  }
  const formId = `rule-${r.id}`;
  return (
    <li className={`${GRID} border-t border-zinc-200 py-2 dark:border-zinc-800`} data-testid={`rule-${r.id}`}>
      <div className="col-span-3 min-w-0 md:col-span-1">
        <span className="font-medium">{meta.title}</span>
        <span className="block text-xs text-zinc-500">{meta.describe}</span>
        {r.updatedBy && <span className="block text-xs text-zinc-500">changed by {r.updatedBy}</span>}
      </div>
      <label className="flex items-center gap-2 self-end pb-1 md:block md:self-auto md:pb-0">
        <input
          form={formId}
          type="checkbox"
          name="enabled"
          defaultChecked={r.enabled}
          disabled={!editable}
          aria-label={`${meta.title} enabled`}
        />
        <span className="text-xs text-zinc-500 md:sr-only">enabled</span>
      </label>
      <label className="min-w-0">
        <span className={phoneLabel}>For</span>
        <input
          form={formId}
          name="forSeconds"
          type="text"
          pattern={DURATION_PATTERN}
          title="How long the condition holds before the alert fires: 0s, 90s, 5m, 1h"
          defaultValue={fmtDurationInput(r.forSeconds)}
          disabled={!editable}
          className={input}
          aria-label={`${meta.title}: fires after the condition holds for`}
        />
      </label>
      <label className="min-w-0">
        <span className={phoneLabel}>Severity</span>
        <select form={formId} name="severity" defaultValue={r.severity} disabled={!editable} className={input}>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
      </label>
      <div className="col-span-3 min-w-0 space-y-1 md:col-span-1">
        {Object.entries(meta.params).map(([k, p]) => (
          <label key={k} className="block text-xs">
            {p.label}
            {p.unit ? ` (${p.unit})` : ""}{" "}
            <input
              form={formId}
              name={k}
              type="number"
              step="any"
              min={p.min}
              max={p.max}
              defaultValue={r.params[k] ?? ""}
              required={!p.nullable}
              disabled={!editable}
              className={input}
            />
          </label>
        ))}
      </div>
      <div className="col-span-3 md:col-span-1">
        {editable && (
          <form id={formId} onSubmit={(e) => void save(e)}>
            <button type="submit" className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700">
              Save
            </button>
          </form>
        )}
        {msg && (
          <span className="block text-xs text-zinc-500" role="status">
            {msg}
          </span>
        )}
      </div>
    </li>
  );
}
