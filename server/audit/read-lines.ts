import "server-only";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";

// Line readers over the audit file: forward (streaming, for verify) and backward (bounded, for the
// tail on start-up and newest-first queries), so neither loads the whole file.

export async function* readLinesForward(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

/**
 * Yields complete lines from the end of the file towards the start. The final line is yielded even
 * without a trailing newline (callers decide whether a torn last line is acceptable).
 */
export async function* readLinesBackward(file: string, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  const fh = await open(file, "r");
  try {
    let position = (await fh.stat()).size;
    let carry: Buffer = Buffer.alloc(0);
    let first = true;
    while (position > 0) {
      const size = Math.min(chunkBytes, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await fh.read(chunk, 0, size, position);
      let buf = Buffer.concat([chunk, carry]);
      if (first) {
        first = false;
        if (buf[buf.length - 1] === 0x0a) buf = buf.subarray(0, buf.length - 1);
      }
      // Split on raw newline bytes so multi-byte UTF-8 characters cut by a chunk edge stay intact.
      let end = buf.length;
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] === 0x0a) {
          yield buf.subarray(i + 1, end).toString("utf8");
          end = i;
        }
      }
      carry = Buffer.from(buf.subarray(0, end));
    }
    if (!first) yield carry.toString("utf8"); // the first line of a non-empty file
  } finally {
    await fh.close();
  }
}

/** Whether the file ends with a newline (false for an empty or missing file). */
export async function endsWithNewline(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    await fh.close();
  }
}
