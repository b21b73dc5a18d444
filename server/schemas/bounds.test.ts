import { describe, expect, it } from "vitest";
import { numberBounds } from "./bounds";
import { graceParams, setLimitParams, timeboxSecondsSchema } from "./container-actions";
import { moveCountSchema, retentionSecondsSchema } from "./queue-actions";
import { autoscaleParams, autoscaleShape, poolResizeParams } from "./worker-actions";

// The action dialog's inputs take their min and max from numberBounds: each bound must be the last value the
// server's own schema accepts, and one step past it must be refused.
describe("bounds the dialog derives from the action schemas", () => {
  it("are the edges of what the server accepts, through nullable, optional and default", () => {
    const cases = [
      {
        bounds: numberBounds(setLimitParams.shape.limit),
        accepts: (n: number) => setLimitParams.safeParse({ limit: n }),
      },
      {
        bounds: numberBounds(setLimitParams.shape.revertAfterSeconds),
        accepts: (n: number) => setLimitParams.safeParse({ limit: null, revertAfterSeconds: n }),
      },
      { bounds: numberBounds(timeboxSecondsSchema), accepts: (n: number) => timeboxSecondsSchema.safeParse(n) },
      {
        bounds: numberBounds(graceParams.shape.graceSeconds),
        accepts: (n: number) => graceParams.safeParse({ graceSeconds: n }),
      },
      { bounds: numberBounds(poolResizeParams.shape.n), accepts: (n: number) => poolResizeParams.safeParse({ n }) },
      {
        bounds: numberBounds(autoscaleShape.max),
        accepts: (n: number) => autoscaleParams.safeParse({ max: n, min: 0 }),
      },
      {
        bounds: numberBounds(autoscaleShape.min),
        accepts: (n: number) => autoscaleParams.safeParse({ max: 512, min: n }),
      },
      { bounds: numberBounds(moveCountSchema), accepts: (n: number) => moveCountSchema.safeParse(n) },
      { bounds: numberBounds(retentionSecondsSchema), accepts: (n: number) => retentionSecondsSchema.safeParse(n) },
    ];
    for (const { bounds, accepts } of cases) {
      expect(accepts(bounds.min).success).toBe(true);
      expect(accepts(bounds.max).success).toBe(true);
      expect(accepts(bounds.min - 1).success).toBe(false);
      expect(accepts(bounds.max + 1).success).toBe(false);
    }
    expect(numberBounds(setLimitParams.shape.limit)).toEqual({ min: 1, max: 4_194_304 });
    // A purge keeps its quarantine from an hour to 90 days.
    expect(numberBounds(retentionSecondsSchema)).toEqual({ min: 3600, max: 90 * 86400 });
  });

  it("refuses a schema without both bounds", async () => {
    const { z } = await import("zod");
    expect(() => numberBounds(z.number().min(0))).toThrow(/min and a max/);
    expect(() => numberBounds(z.string())).toThrow(/min and a max/);
  });
});
