// test-only: the whole console runtime (samplers, scheduler, events, alerts) in this process, as the server's
// instrumentation hook starts it. Files in vitest's single integration fork share globalThis: the runtime's state
// must be reset on both ends, or the next file's start() finds it "already booted" with its samplers stopped
// (which failed sources-down whenever it ran right after faults-dockerd).
import { closeAllBrokers } from "@/server/celery/connections";
import { closeDb } from "@/server/db";
import { start } from "@/server/runtime";
import { stopAll } from "@/server/scheduler";
import { resetGlobals } from "./action-console";
import { testConfig } from "./console";

/** Boots a fresh runtime on a test configuration; returns its data dir. `beforeStart` runs once the config is set. */
export async function startRuntime(env: Record<string, string>, beforeStart?: () => Promise<void>): Promise<string> {
  stopAll();
  await closeDb();
  resetGlobals();
  const dataDir = testConfig(env);
  await beforeStart?.();
  await start();
  return dataDir;
}

export async function stopRuntime(): Promise<void> {
  stopAll();
  closeAllBrokers();
  await closeDb();
  resetGlobals();
}
