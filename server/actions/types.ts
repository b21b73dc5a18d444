import "server-only";
import type { z } from "zod";
import type { Role } from "@/server/auth/roles";
import type { ActionChange, ActionVerify, PreviewBody } from "@/server/schemas/actions";

// What every remediation declares. The registry (registry.ts) lists them; run.ts is the only path that executes one.

export type Change = ActionChange;

export interface Preview<S = Record<string, unknown>> extends PreviewBody {
  /** Values needed by execute/verify, computed once at preview (e.g. the old limit); never sent to the page. */
  state?: S;
}

/** D: what execute hands verify in `details` (what it did, e.g. the tags it moved). */
export interface ExecResult<D = unknown> {
  result: string;
  before?: unknown;
  after?: unknown;
  details?: D;
}

export interface VerifyResult extends ActionVerify {
  observed?: unknown;
}

export interface ActionContext {
  actor: string;
  role: Role;
  auditId: string;
  /** The operator's reason, as the audit intent recorded it. */
  reason: string;
  signal: AbortSignal;
  progress: (done: number, total: number | null, note?: string) => void;
}

/** The state of an action whose preview hands nothing on to execute and verify. */
export type NoState = undefined;

/** T: the target, P: the parameters, S: what preview hands execute and verify in `state` (NoState: nothing), D: what
 * execute hands verify in `details`. */
export interface ActionDef<T = unknown, P = unknown, S = Record<string, unknown>, D = unknown> {
  name: string;
  title: string;
  role: Role;
  /** Destructive actions make the operator type the target's name again. */
  destructive: boolean;
  target: z.ZodType<T>;
  params: z.ZodType<P>;
  /** Display name of the target (what must be typed for destructive actions). */
  targetLabel: (t: T) => string;
  /** What the audit records as the target, resolved (a container by a 2-character id prefix: its name and full id). */
  auditTarget?: (t: T) => Promise<{ target: string; targetId: string | null }>;
  preview: (t: T, p: P) => Promise<Preview<S>>;
  execute: (t: T, p: P, preview: Preview<S>, ctx: ActionContext) => Promise<ExecResult<D>>;
  verify: (t: T, p: P, preview: Preview<S>, exec: ExecResult<D>) => Promise<VerifyResult>;
  /** Actions that need an operator opt-in say whether they can run here, and why not (listed, and a preview blocker). */
  availability?: () => Promise<{ available: boolean; reason: string | null }>;
}

// Registry entries are heterogeneous; run.ts validates target and params with each entry's own schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDef<any, any, any, any>;
