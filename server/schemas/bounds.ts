import { z } from "zod";

// Input bounds for the action dialog, read from the zod schemas the server validates the same parameters with.

/** The min and max a number schema accepts (through optional, nullable and default), for an input's bounds. */
export function numberBounds(schema: z.ZodType): { min: number; max: number } {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
    s = s.unwrap() as z.ZodType;
  // Zod reports a missing bound as null or as an infinity.
  if (!(s instanceof z.ZodNumber) || !Number.isFinite(s.minValue) || !Number.isFinite(s.maxValue))
    throw new Error("numberBounds needs a number schema with a min and a max");
  return { min: s.minValue!, max: s.maxValue! };
}
