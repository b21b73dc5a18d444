// Shapes the action dialog exchanges with POST /api/actions/preview and POST /api/actions.

export interface FieldSpec {
  name: string;
  label: string;
  type: "number" | "text" | "select" | "checkbox";
  options?: { value: string; label: string }[];
  defaultValue?: string | number | boolean;
  /** Empty number field -> null (e.g. "unlimited"). */
  nullable?: boolean;
  min?: number;
  max?: number;
  help?: string;
}

export interface PreviewResponse {
  action: string;
  title: string;
  summary: string;
  targets: string[];
  changes: { what: string; from: unknown; to: unknown }[];
  warnings: string[];
  blockers: string[];
  noReply?: boolean;
  revertAfterSeconds?: number | null;
  destructive: boolean;
  confirmText: string | null;
}

export interface RunResponse {
  auditId: string;
  status: "succeeded" | "failed" | "unverified";
  result: string | null;
  verify: { ok: boolean; finding: string } | null;
  error: string | null;
}

export type ParamValues = Record<string, unknown>;

export function readParams(fields: FieldSpec[], form: FormData, fixed: ParamValues): ParamValues {
  const out: ParamValues = { ...fixed };
  for (const f of fields) {
    const raw = form.get(f.name);
    if (f.type === "checkbox") out[f.name] = raw === "on";
    else if (f.type === "number")
      out[f.name] = raw === null || raw === "" ? (f.nullable ? null : undefined) : Number(raw);
    else if (raw !== null && raw !== "") out[f.name] = String(raw);
  }
  return out;
}

/** A long action's progress, pushed by the server while it runs (queue moves). */
export interface ActionProgress {
  auditId: string;
  action: string;
  actor: string;
  done: number;
  total: number | null;
  note: string | null;
}
