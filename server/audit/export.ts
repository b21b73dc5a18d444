import "server-only";
import type { AuditRow } from "./query";

// Audit export for auditors' spreadsheets. Cells are RFC 4180-quoted, and cells starting with
// = + - @ (or tab/CR) get a leading apostrophe so a spreadsheet never evaluates an actor-chosen
// string as a formula (CSV injection).

const CSV_COLUMNS = [
  "ts",
  "id",
  "kind",
  "actor",
  "role",
  "sourceIp",
  "action",
  "target",
  "reason",
  "outcome",
  "durationMs",
  "error",
  "params",
] as const;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s =
    typeof value === "string"
      ? value
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** JSON export: one object per row with both raw entries, so the HMACs can be re-checked offline. */
export function toJson(rows: AuditRow[]): string {
  return JSON.stringify(rows, null, 2);
}
