import "server-only";
import type { LogSignature } from "@/server/schemas/containers";
import type { LogLine } from "./log-stream";

// Scans recent container log lines for the messages runtimes print when the pids limit refuses a new thread or
// process: the visible symptom in Dify's case ("can't start new thread") often precedes anyone looking at pids.

export const DEFAULT_LOG_TAIL_LINES = 2000;
const SAMPLE_CHARS = 300;

export const THREAD_EXHAUSTION_SIGNATURES: readonly { signature: string; pattern: RegExp }[] = [
  { signature: "can't start new thread", pattern: /can'?t start new thread/i }, // Python
  { signature: "Resource temporarily unavailable", pattern: /Resource temporarily unavailable/i }, // EAGAIN from clone()
  { signature: "unable to create native thread", pattern: /unable to create (new )?native thread/i }, // JVM
  { signature: "pthread_create", pattern: /pthread_create/i }, // C/C++, Go runtime, glibc
  { signature: "fork: retry", pattern: /fork: retry/i }, // bash
];

export function scanLogSignatures(lines: readonly LogLine[]): LogSignature[] {
  const found = new Map<string, LogSignature>();
  for (const line of lines) {
    for (const { signature, pattern } of THREAD_EXHAUSTION_SIGNATURES) {
      if (!pattern.test(line.text)) continue;
      const s = found.get(signature) ?? { signature, count: 0, firstSeen: null, lastSeen: null, sample: "" };
      s.count++;
      // Lines arrive oldest first, but compare anyway: timestamps are the truth when streams interleave.
      if (line.ts && (s.firstSeen === null || line.ts < s.firstSeen)) s.firstSeen = line.ts;
      if (line.ts && (s.lastSeen === null || line.ts >= s.lastSeen)) {
        s.lastSeen = line.ts;
        s.sample = line.text.slice(0, SAMPLE_CHARS);
      }
      if (!s.sample) s.sample = line.text.slice(0, SAMPLE_CHARS);
      found.set(signature, s);
    }
  }
  return THREAD_EXHAUSTION_SIGNATURES.map((s) => found.get(s.signature)).filter(
    (s): s is LogSignature => s !== undefined,
  );
}
