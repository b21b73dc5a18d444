import { parseDuration } from "@/lib/format";

// The action dialog's form fields; the bodies it exchanges with the action API live in server/schemas/actions.ts.

export interface FieldSpec {
  name: string;
  label: string;
  /** "duration": seconds, written and shown as people write durations (90s, 15m, 2h, 7d); min/max in seconds. */
  type: "number" | "text" | "select" | "checkbox" | "duration";
  options?: { value: string; label: string }[];
  defaultValue?: string | number | boolean;
  /** Empty number field -> null (e.g. "unlimited"). */
  nullable?: boolean;
  min?: number;
  max?: number;
  help?: string;
}

export type ParamValues = Record<string, unknown>;

export function readParams(fields: FieldSpec[], form: FormData, fixed: ParamValues): ParamValues {
  const out: ParamValues = { ...fixed };
  for (const f of fields) {
    const raw = form.get(f.name);
    if (f.type === "checkbox") out[f.name] = raw === "on";
    else if (f.type === "duration") {
      const seconds = raw === null || raw === "" ? null : parseDuration(String(raw));
      out[f.name] = seconds === null ? (f.nullable && (raw === null || raw === "") ? null : undefined) : seconds;
    } else if (f.type === "number")
      out[f.name] = raw === null || raw === "" ? (f.nullable ? null : undefined) : Number(raw);
    else if (raw !== null && raw !== "") out[f.name] = String(raw);
  }
  return out;
}
