import { describe, expect, it } from "vitest";
import { readParams, type FieldSpec } from "./types";

const fields: FieldSpec[] = [
  { name: "limit", label: "New pids limit", type: "number" },
  { name: "revertAfterSeconds", label: "Revert after", type: "duration", defaultValue: 900 },
  { name: "graceSeconds", label: "Grace", type: "duration", nullable: true },
];

function form(values: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
}

describe("readParams", () => {
  it("turns a written duration into seconds for the API", () => {
    expect(readParams(fields, form({ limit: "400", revertAfterSeconds: "10m", graceSeconds: "" }), {})).toEqual({
      limit: 400,
      revertAfterSeconds: 600,
      graceSeconds: null,
    });
    expect(readParams(fields, form({ limit: "1", revertAfterSeconds: "2h", graceSeconds: "30" }), {})).toMatchObject({
      revertAfterSeconds: 7200,
      graceSeconds: 30,
    });
  });
  it("leaves out a duration it cannot read, so the server's required-field error names it", () => {
    expect(readParams(fields, form({ limit: "1", revertAfterSeconds: "soon" }), {})).not.toHaveProperty(
      "revertAfterSeconds",
      expect.anything(),
    );
  });
});
