import "server-only";
import { errorMessage } from "@/server/errors";
import type { AuditEntry, AuditSink } from "../types";

// Secondary sinks are copies for operators' log pipelines. The file is the record of truth and has
// already been fsynced when these run, so a down syslog or Redis must not block remediation: each
// failure (or time-out) is returned to the caller, who logs it and may show it, and the action goes on.

export interface SinkFailure {
  sink: string;
  message: string;
}

export async function fanOut(
  sinks: AuditSink[],
  entry: AuditEntry,
  line: string,
  timeoutMs: number,
): Promise<SinkFailure[]> {
  const results = await Promise.allSettled(sinks.map((s) => withTimeout(s.write(entry, line), timeoutMs, s.name)));
  const failures: SinkFailure[] = [];
  results.forEach((r, i) => {
    if (r.status === "rejected") failures.push({ sink: sinks[i]!.name, message: errorMessage(r.reason) });
  });
  return failures;
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
