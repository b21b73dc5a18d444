import "server-only";

// Shapes of the audit log: what callers pass in, what is stored, and the two injected interfaces.

export type AuditKind = "intent" | "outcome" | "event";

/** What a caller supplies; the log adds seq, instance, ts (if absent), prevHash and hmac. */
export interface AuditInput {
  /** Shared by an intent and its outcome (a UUID); events get a fresh one when omitted. */
  id?: string;
  kind: AuditKind;
  /** Event only: login, login-failed, denied, settings, ... */
  event?: string;
  ts?: string;
  actor: string;
  role?: string | null;
  sourceIp?: string | null;
  action: string;
  target?: string | null;
  /** When `target` names something that also has an id (a container: host/name), that id as host/<full id>. */
  targetId?: string | null;
  params?: unknown;
  reason?: string | null;
  /** Intent only: what the action is expected to do. */
  preview?: unknown;
  /** Outcome only. */
  result?: string;
  before?: unknown;
  after?: unknown;
  verify?: unknown;
  durationMs?: number;
  error?: string | null;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  id: string;
  ts: string;
  /** Which console instance wrote this line: each instance (own data dir) keeps its own chain. */
  instance: string;
  prevHash: string;
  hmac: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The copy of the chain head kept in the console's database, so that cutting the tail of the file
 * is detected. One HeadStore serves one instance id (the lead's DB implementation keys rows by it).
 */
export interface HeadStore {
  get(): Promise<ChainHead | null>;
  set(head: ChainHead): Promise<void>;
}

/** A secondary copy of every entry (syslog, Redis stream). Failures here are reported, not fatal. */
export interface AuditSink {
  name: string;
  write(entry: AuditEntry, line: string): Promise<void>;
  close?(): Promise<void>;
}

export const GENESIS_HASH = "0".repeat(64);
