// Markdown pieces every BENCHMARKS.md section uses: one number format and one table shape.

/** A number as the tables show it ("n/a" when missing); `digits` rounds first (none: as measured). */
export function fmt(n: number | null | undefined, digits?: number): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  const v = digits === undefined ? n : Math.round(n * 10 ** digits) / 10 ** digits;
  return v.toLocaleString("en-US");
}

/** A cell's text with the pipes that would split it escaped. */
const cell = (c: string | number): string => (typeof c === "number" ? fmt(c) : c.replace(/\|/g, "\\|"));

export const row = (cells: (string | number)[]): string => `| ${cells.map(cell).join(" | ")} |`;

/** A table; `align` marks columns "right" (numbers) or "left" (the default). */
export function table(head: string[], rows: (string | number)[][], align: ("left" | "right")[] = []): string {
  const rule = head.map((_, i) => (align[i] === "right" ? "--:" : "---"));
  return [row(head), `| ${rule.join(" | ")} |`, ...rows.map(row)].join("\n");
}
