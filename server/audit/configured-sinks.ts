import "server-only";
import { Redis } from "ioredis";
import { getConfig } from "@/server/config";
import { redisStreamSink } from "./sinks/redis-stream";
import { syslogSink } from "./sinks/syslog";
import type { AuditSink } from "./types";

// Second copies of every audit entry, as configured (like Vault's audit devices). The file stays the primary
// sink: a failing second sink is reported, never a reason to refuse an action.
export function configuredSinks(): AuditSink[] {
  const cfg = getConfig();
  const sinks: AuditSink[] = [];
  if (cfg.auditSyslog) sinks.push(syslogSink({ ...cfg.auditSyslog, appName: "leakwatch" }));
  if (cfg.auditRedisStream) {
    const redis = new Redis(cfg.auditRedisStream.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
    });
    redis.on("error", () => {}); // reported per write by the fan-out instead
    sinks.push(redisStreamSink(redis, { key: cfg.auditRedisStream.key }));
  }
  return sinks;
}
