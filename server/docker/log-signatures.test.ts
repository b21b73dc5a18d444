import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanLogSignatures } from "./log-signatures";
import { demuxLogs } from "./log-stream";

// Real multiplexed bytes from GET /containers/<id>/logs?stdout=1&stderr=1&timestamps=1 of the leaker fixture after it
// hit --pids-limit 40: one stdout line, then one stderr line per refused thread.
const raw = readFileSync(path.join(__dirname, "__fixtures__", "v1-leaker", "logs-multiplexed.bin"));

describe("log demux and thread-exhaustion signatures", () => {
  it("splits Docker's stdout/stderr frames into timestamped lines", () => {
    const lines = demuxLogs(raw);
    expect(lines).toHaveLength(95);
    expect(lines[0]).toEqual({
      stream: "stdout",
      ts: "2026-11-23T04:44:06.285087431Z",
      text: "leaker start rate=5.000 max=60 zombies=2",
    });
    expect(lines.filter((l) => l.stream === "stderr")).toHaveLength(94);
  });

  it("counts each signature with first/last seen and a sample", () => {
    const sigs = scanLogSignatures(demuxLogs(raw));
    expect(sigs.map((s) => [s.signature, s.count])).toEqual([
      ["can't start new thread", 94],
      ["Resource temporarily unavailable", 94],
      ["pthread_create", 94],
    ]);
    const first = sigs[0]!;
    expect(first.firstSeen).toBe("2026-11-23T04:44:13.685867613Z");
    expect(first.lastSeen! > first.firstSeen!).toBe(true);
    expect(first.sample).toBe(
      "RuntimeError: can't start new thread (pthread_create: Resource temporarily unavailable)",
    );
  });

  it("reads TTY containers' raw output too", () => {
    const tty = Buffer.from(
      "2026-01-01T00:00:00.000000001Z java.lang.OutOfMemoryError: unable to create native thread\r\n",
    );
    const lines = demuxLogs(tty);
    expect(lines).toEqual([
      {
        stream: "tty",
        ts: "2026-01-01T00:00:00.000000001Z",
        text: "java.lang.OutOfMemoryError: unable to create native thread",
      },
    ]);
    expect(scanLogSignatures(lines).map((s) => s.signature)).toEqual(["unable to create native thread"]);
  });
});
