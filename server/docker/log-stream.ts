import "server-only";

// Docker multiplexes stdout/stderr of non-TTY containers into frames with an 8-byte header
// ([stream, 0, 0, 0, size u32 BE]); TTY containers send raw bytes. This splits either into timestamped lines.

export interface LogLine {
  stream: "stdout" | "stderr" | "tty";
  /** RFC 3339 timestamp Docker prefixed (timestamps=true), or null when absent. */
  ts: string | null;
  text: string;
}

/** True when the buffer starts like a multiplexed frame (so it is not raw TTY output). */
function looksMultiplexed(buf: Buffer): boolean {
  if (buf.length < 8) return false;
  const s = buf[0];
  return (s === 0 || s === 1 || s === 2) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
}

const TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

function toLines(text: string, stream: LogLine["stream"], out: LogLine[]): void {
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const m = TS.exec(line);
    out.push({ stream, ts: m?.[1] ?? null, text: m ? line.slice(m[0].length) : line });
  }
}

export function demuxLogs(buf: Buffer): LogLine[] {
  const out: LogLine[] = [];
  if (!looksMultiplexed(buf)) {
    toLines(buf.toString("utf8"), "tty", out);
    return out;
  }
  // Frames can split a line; join consecutive frames of the same stream before splitting.
  let offset = 0;
  let pending = "";
  let pendingStream: LogLine["stream"] = "stdout";
  while (offset + 8 <= buf.length) {
    const stream: LogLine["stream"] = buf[offset] === 2 ? "stderr" : "stdout";
    const size = buf.readUInt32BE(offset + 4);
    const end = Math.min(buf.length, offset + 8 + size);
    const chunk = buf.subarray(offset + 8, end).toString("utf8");
    if (stream !== pendingStream && pending) {
      toLines(pending, pendingStream, out);
      pending = "";
    }
    pendingStream = stream;
    pending += chunk;
    const lastNl = pending.lastIndexOf("\n");
    if (lastNl >= 0) {
      toLines(pending.slice(0, lastNl + 1), stream, out);
      pending = pending.slice(lastNl + 1);
    }
    offset = end;
  }
  if (pending) toLines(pending, pendingStream, out);
  return out;
}
