// Bodies of the action API (POST /api/actions/preview, POST /api/actions) and its progress events, shared by the
// action runner, the route handlers and the action dialog.

export interface ActionChange {
  what: string;
  from: unknown;
  to: unknown;
}

/** What an action's preview shows the operator (the server keeps its own `state` beside it). */
export interface PreviewBody {
  /** One sentence: what will happen. */
  summary: string;
  targets: string[];
  changes: ActionChange[];
  /** Consequences and risks the operator should read. */
  warnings: string[];
  /** Preconditions that fail: the action is refused while any is present. */
  blockers: string[];
  /** True when the target won't answer (e.g. a worker shutdown): verify then checks absence instead. */
  noReply?: boolean;
  /** Seconds after which the change reverts unless confirmed (time-boxed actions). */
  revertAfterSeconds?: number | null;
}

/** POST /api/actions/preview. */
export interface PreviewResponse extends PreviewBody {
  action: string;
  title: string;
  destructive: boolean;
  /** For destructive actions: the target's name, to be typed again. */
  confirmText: string | null;
}

export interface ActionVerify {
  ok: boolean;
  finding: string;
}

/** POST /api/actions. */
export interface RunResponse {
  auditId: string;
  status: "succeeded" | "failed" | "unverified";
  result: string | null;
  verify: ActionVerify | null;
  error: string | null;
}

/** A long action's progress, pushed by the server while it runs (queue moves). */
export interface ActionProgress {
  auditId: string;
  action: string;
  actor: string;
  done: number;
  total: number | null;
  note: string | null;
}
