import "server-only";
import path from "node:path";
import { ensureFirstAdmin, trackAccountsReady } from "@/server/auth/bootstrap";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { withoutPaths } from "@/server/errors";
import { log } from "@/server/log";
import { instanceId } from "@/server/instance";
import { schedule } from "@/server/scheduler";
import { markSource, registerSource } from "@/server/sources/status";
import { processState } from "@/server/process-state";

// Process start-up, called once from instrumentation.ts: the store, the first admin, then the samplers.

export function start(): Promise<void> {
  instanceId(); // reads the config and the data dir's id first: a bad variable throws here, to the caller
  const s = processState("runtime", () => ({ booted: false, started: Promise.resolve() }));
  if (s.booted) return s.started;
  s.booted = true;
  s.started = boot().catch((e) => {
    log.error({ err: e }, "start-up failed");
    throw e;
  });
  return s.started;
}

async function boot(): Promise<void> {
  const cfg = getConfig(); // a bad variable throws here, naming it, before anything listens for work
  registerSource("database", "console-db");
  registerSource("audit", "audit-log");
  for (const h of cfg.dockerHosts) registerSource("docker", h.name);
  for (const b of cfg.brokers) registerSource("redis", b.name);

  // The store is retried in the background: /api/health answers and says it is down meanwhile.
  const ready = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await getDb();
        await ensureFirstAdmin();
        return;
      } catch (e) {
        log.error({ err: e, attempt }, "console database not ready; retrying");
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
      }
    }
  };
  const accounts = ready();
  trackAccountsReady(accounts);
  await accounts;
  await openAudit();
  const { startSamplers } = await import("./samplers");
  startSamplers(cfg, instanceId(), schedule);
  log.info(
    { instance: instanceId(), docker: cfg.dockerHosts.map((h) => h.name), brokers: cfg.brokers.map((b) => b.name) },
    "leakwatch started",
  );
}

async function openAudit(): Promise<void> {
  const cfg = getConfig();
  const { openAuditLog, setAuditLog } = await import("@/server/audit/service");
  const { dbHeadStore } = await import("@/server/audit/db-head-store");
  const { serverKey } = await import("@/server/secret");
  try {
    const { configuredSinks } = await import("@/server/audit/configured-sinks");
    const audit = await openAuditLog({
      dir: path.join(cfg.dataDir, "audit"),
      key: serverKey(),
      headStore: dbHeadStore(instanceId()),
      instance: instanceId(),
      extraSinks: configuredSinks(),
    });
    setAuditLog(audit);
    markSource("audit", "audit-log", true);
    const open = await audit.listOpenIntents().catch(() => []);
    if (open.length > 0)
      log.warn(
        { count: open.length, ids: open.map((e) => e.id) },
        "audit: actions whose outcome is unknown (the console stopped mid-action)",
      );
  } catch (e) {
    // Fail closed: without an audit log no action can run, but the console still serves reads.
    setAuditLog(null);
    markSource("audit", "audit-log", false, withoutPaths((e as Error).message));
    log.error({ err: e }, "audit log unavailable: actions are refused until it is fixed");
  }
}
