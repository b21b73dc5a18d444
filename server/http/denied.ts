import "server-only";
import type { SessionInfo } from "@/server/auth/sessions";
import { log } from "@/server/log";

// Denied requests are security events: they go to the audit log (wired in server/audit/service.ts).
export async function recordDenied(caller: SessionInfo, ip: string | null, req: Request, why: string): Promise<void> {
  const { auditEvent } = await import("@/server/audit/service");
  try {
    await auditEvent({
      kind: "denied",
      actor: caller.username,
      role: caller.role,
      sourceIp: ip,
      action: `${req.method} ${new URL(req.url).pathname}`,
      detail: why,
    });
  } catch (e) {
    // A denial is already a refusal; failing to record it must not turn it into something else.
    log.warn({ err: e }, "could not audit a denied request");
  }
}
