import { describe, expect, it } from "vitest";
import {
  ariaSort,
  nextSort,
  parseSort,
  searchWith,
  sortCaption,
  sortParam,
  sortRows,
  type SortableColumn,
} from "./table-sort";

interface Q {
  name: string;
  depth: number;
  drain: number | null;
}
const columns: (SortableColumn<Q> & { header: string })[] = [
  { key: "name", header: "Queue", sortValue: (q) => q.name, sortFirst: "asc" },
  { key: "depth", header: "Depth", sortValue: (q) => q.depth },
  { key: "drain", header: "Drain", sortValue: (q) => q.drain },
  { key: "trend", header: "Trend" },
];
// In the view's own order (worst first): the sort must keep it for ties and when no sort is chosen.
const rows: Q[] = [
  { name: "mail", depth: 40, drain: null },
  { name: "dataset-10", depth: 900, drain: 120 },
  { name: "dataset-9", depth: 40, drain: 30 },
  { name: "Beta", depth: 0, drain: 5 },
];
const names = (list: Q[]) => list.map((q) => q.name);

describe("table sort", () => {
  it("keeps the worst-first order when no sort is chosen or the key is unknown", () => {
    expect(names(sortRows(rows, columns, null))).toEqual(["mail", "dataset-10", "dataset-9", "Beta"]);
    expect(names(sortRows(rows, columns, { key: "nope", desc: true }))).toEqual(names(rows));
  });

  it("sorts numbers both ways, ties in the worst-first order, empty values last either way", () => {
    expect(names(sortRows(rows, columns, { key: "depth", desc: true }))).toEqual([
      "dataset-10",
      "mail",
      "dataset-9",
      "Beta",
    ]);
    expect(names(sortRows(rows, columns, { key: "depth", desc: false }))).toEqual([
      "Beta",
      "mail",
      "dataset-9",
      "dataset-10",
    ]);
    expect(names(sortRows(rows, columns, { key: "drain", desc: true })).at(-1)).toBe("mail");
    expect(names(sortRows(rows, columns, { key: "drain", desc: false })).at(-1)).toBe("mail");
  });

  it("sorts names as people read them: any case, numbers by value", () => {
    expect(names(sortRows(rows, columns, { key: "name", desc: false }))).toEqual([
      "Beta",
      "dataset-9",
      "dataset-10",
      "mail",
    ]);
  });

  it("cycles a header: its first direction, the other, then back to the view's order", () => {
    const depth = columns[1]!;
    const name = columns[0]!;
    expect(nextSort(null, depth)).toEqual({ key: "depth", desc: true });
    expect(nextSort({ key: "depth", desc: true }, depth)).toEqual({ key: "depth", desc: false });
    expect(nextSort({ key: "depth", desc: false }, depth)).toBeNull();
    expect(nextSort({ key: "depth", desc: false }, name)).toEqual({ key: "name", desc: false });
  });

  it("reads and writes ?sort=, ignoring keys no column sorts by", () => {
    const keys = ["name", "depth", "drain"];
    expect(parseSort("-depth", keys)).toEqual({ key: "depth", desc: true });
    expect(parseSort("name", keys)).toEqual({ key: "name", desc: false });
    expect(parseSort("trend", keys)).toBeNull();
    expect(parseSort("-", keys)).toBeNull();
    expect(parseSort(null, keys)).toBeNull();
    expect(sortParam({ key: "depth", desc: true })).toBe("-depth");
    expect(sortParam({ key: "name", desc: false })).toBe("name");
    expect(sortParam(null)).toBeNull();
  });

  it("sets one query param without dropping the others (filter and sort share the URL)", () => {
    expect(searchWith("?q=dataset", { sort: "-depth" })).toBe("?q=dataset&sort=-depth");
    expect(searchWith("?q=dataset&sort=-depth", { q: "mail box" })).toBe("?q=mail+box&sort=-depth");
    expect(searchWith("?q=dataset&sort=-depth", { sort: null })).toBe("?q=dataset");
    expect(searchWith("?q=dataset", { q: "" })).toBe("");
  });

  it("says the order in the caption and in aria-sort", () => {
    expect(sortCaption(columns, null)).toBe("worst first");
    expect(sortCaption(columns, { key: "depth", desc: true })).toBe("sorted by Depth, descending");
    expect(ariaSort({ key: "depth", desc: true }, "depth")).toBe("descending");
    expect(ariaSort({ key: "depth", desc: false }, "depth")).toBe("ascending");
    expect(ariaSort({ key: "depth", desc: false }, "name")).toBe("none");
  });
});
