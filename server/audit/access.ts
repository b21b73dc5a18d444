import "server-only";
import path from "node:path";
import { getConfig } from "@/server/config";
import { instanceId } from "@/server/instance";
import { serverKey } from "@/server/secret";
import { AUDIT_FILE_NAME } from "./audit-log";
import { dbHeadStore } from "./db-head-store";
import { readAudit, type AuditQuery } from "./query";
import { verifyAudit } from "./verify";

// The running console's view of its own audit file: where it is, how to read and verify it.

export const auditFile = () => path.join(getConfig().dataDir, "audit", AUDIT_FILE_NAME);

export async function queryAudit(q: AuditQuery) {
  return readAudit(auditFile(), q);
}

export async function verifyOwnAudit() {
  const head = await dbHeadStore(instanceId()).get();
  return verifyAudit({ file: auditFile(), key: serverKey(), head });
}
