"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSession } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import { RULE_META, type AlertRule } from "@/server/alerts/types";

const input = "w-24 rounded border border-zinc-300 bg-white px-1 py-0.5 text-xs dark:border-zinc-700 dark:bg-zinc-950";

// Rules with their settings; admins edit them (each save is audited).
export function RulesTable({ rules }: { rules: AlertRule[] }) {
  const s = useSession();
  const editable = s.role === "admin" && !s.readOnly;
  return (
    <table className="w-full text-sm">
      <thead className="text-left text-xs text-zinc-500">
        <tr>
          <th>Rule</th>
          <th>On</th>
          <th>For (s)</th>
          <th>Severity</th>
          <th>Settings</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <RuleRow key={r.id} rule={r} editable={editable} />
        ))}
      </tbody>
    </table>
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
          forSeconds: Number(f.get("forSeconds")),
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
    <tr className="border-t border-zinc-200 align-top dark:border-zinc-800" data-testid={`rule-${r.id}`}>
      <td className="py-1">
        <span className="font-medium">{meta.title}</span>
        <span className="block text-xs text-zinc-500">{meta.describe}</span>
        {r.updatedBy && <span className="block text-xs text-zinc-500">changed by {r.updatedBy}</span>}
      </td>
      <td>
        <input
          form={formId}
          type="checkbox"
          name="enabled"
          defaultChecked={r.enabled}
          disabled={!editable}
          aria-label={`${meta.title} enabled`}
        />
      </td>
      <td>
        <input
          form={formId}
          name="forSeconds"
          type="number"
          min={0}
          defaultValue={r.forSeconds}
          disabled={!editable}
          className={input}
          aria-label={`${meta.title} for seconds`}
        />
      </td>
      <td>
        <select form={formId} name="severity" defaultValue={r.severity} disabled={!editable} className={input}>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
      </td>
      <td className="space-y-1">
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
      </td>
      <td>
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
      </td>
    </tr>
  );
}
