import "server-only";

// Canonical JSON for the audit chain: object keys sorted by UTF-16 code units, no whitespace,
// strings and numbers exactly as JSON.stringify writes them. Hashes and HMACs are taken over this
// form, so the same entry always yields the same bytes whatever key order it was built with.

export class CanonicalJsonError extends Error {}

export function canonicalize(value: unknown): string {
  const out = write(value, "$");
  if (out === undefined) throw new CanonicalJsonError("$: top-level value cannot be undefined");
  return out;
}

function write(value: unknown, path: string): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      // JSON.stringify would silently turn these into null, which would not round-trip.
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: non-finite number ${value}`);
      return JSON.stringify(value);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "bigint":
      throw new CanonicalJsonError(`${path}: bigint is not JSON`);
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === "function") return write(obj.toJSON(), path);
  if (Array.isArray(value)) {
    const parts = value.map((item, i) => {
      const s = write(item, `${path}[${i}]`);
      if (s === undefined) throw new CanonicalJsonError(`${path}[${i}]: undefined inside an array`);
      return s;
    });
    return `[${parts.join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const s = write(record[key], `${path}.${key}`);
    if (s !== undefined) parts.push(`${JSON.stringify(key)}:${s}`);
  }
  return `{${parts.join(",")}}`;
}

/** True when `line` is exactly the canonical form of the JSON it holds. */
export function isCanonical(line: string): boolean {
  try {
    return canonicalize(JSON.parse(line)) === line;
  } catch {
    return false;
  }
}
