import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { endsWithNewline, readLinesBackward, readLinesForward } from "./read-lines";

async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of gen) out.push(l);
  return out;
}

describe("readLinesBackward", () => {
  it("yields the same lines as the forward reader, reversed, across chunk edges inside multi-byte characters", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lw-lines-"));
    const file = path.join(dir, "f");
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => s.replace(/[\r\n\u2028\u2029]/g, "")),
            { minLength: 1, maxLength: 20 },
          ),
          fc.integer({ min: 1, max: 9 }),
          async (ls, chunk) => {
            await writeFile(file, ls.map((l) => `${l}\n`).join(""));
            const backward = await collect(readLinesBackward(file, chunk));
            expect(backward).toEqual([...ls].reverse());
            expect(await collect(readLinesForward(file))).toEqual(ls);
          },
        ),
        { numRuns: 60 },
      );
      await writeFile(file, "a\nb");
      expect(await collect(readLinesBackward(file, 2))).toEqual(["b", "a"]);
      expect(await endsWithNewline(file)).toBe(false);
      await writeFile(file, "");
      expect(await collect(readLinesBackward(file))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
