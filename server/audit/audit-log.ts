import "server-only";
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AuditUnavailableError, ValidationError, errorMessage, withoutPaths } from "@/server/errors";
import { markSource } from "@/server/sources/status";
import { lineHash, sealEntry, type AuditKey } from "./chain";
import { listOpenIntents } from "./open-intents";
import { redact } from "./redact";
import { fanOut, type SinkFailure } from "./sinks/fan-out";
import { readTail, reconcileHead } from "./tail";
import { ensurePrivateDir, tightenFiles } from "@/server/private-files";
import {
  GENESIS_HASH,
  type AuditEntry,
  type AuditInput,
  type AuditSink,
  type ChainHead,
  type HeadStore,
} from "./types";
import { processState } from "@/server/process-state";

// The tamper-evident audit log: one JSON line per entry in <dataDir>/audit/audit.jsonl, appended
// through one in-process queue, fsynced before the caller goes on (an action runs only once its
// intent is on disk). The file is opened per append, so a file swapped for a directory, a lost
// permission or a full disk refuses the action instead of writing into an unlinked inode.
//
// Multi-instance: each console instance has its own data dir, so its own file and chain. Entries
// carry `instance` (persisted in <dir>/instance-id) and the HeadStore the lead passes is keyed by
// that id, so two instances sharing one PostgreSQL never overwrite each other's head.

export const AUDIT_FILE_NAME = "audit.jsonl";

export interface OpenAuditLogOptions {
  /** Usually <dataDir>/audit. Created (0700) if missing. */
  dir: string;
  key: AuditKey;
  headStore: HeadStore;
  /** Secondary copies; their failures are reported per append, never fatal (see sinks/fan-out.ts). */
  extraSinks?: AuditSink[];
  /** Defaults to the id stored in <dir>/instance-id (created on first start). */
  instance?: string;
  sinkTimeoutMs?: number;
}

export interface AppendResult {
  entry: AuditEntry;
  sinkFailures: SinkFailure[];
}

const KINDS = new Set(["intent", "outcome", "event"]);

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when bytes may have reached the file without the head moving: resync before writing again. */
  private dirty = false;

  constructor(
    readonly file: string,
    readonly instance: string,
    private head: ChainHead | null,
    private readonly opts: OpenAuditLogOptions,
  ) {}

  getHead(): ChainHead | null {
    return this.head ? { ...this.head } : null;
  }

  async append(input: AuditInput): Promise<AppendResult> {
    const prepared = prepare(input);
    const run = this.queue.then(() => this.writeOne(prepared));
    this.queue = run.catch(() => undefined);
    let written: { entry: AuditEntry; line: string };
    try {
      written = await run;
    } catch (e) {
      // /api/health says so (without the path: it is public) until an entry is written again.
      markSource(
        "audit",
        "audit-log",
        false,
        withoutPaths(e instanceof AuditUnavailableError ? e.detail : errorMessage(e)),
      );
      throw e;
    }
    markSource("audit", "audit-log", true);
    const { entry, line } = written;
    const sinkFailures = await fanOut(this.opts.extraSinks ?? [], entry, line, this.opts.sinkTimeoutMs ?? 2000);
    return { entry, sinkFailures };
  }

  listOpenIntents(): Promise<AuditEntry[]> {
    return listOpenIntents(this.file);
  }

  async close(): Promise<void> {
    await this.queue;
    await Promise.allSettled((this.opts.extraSinks ?? []).map((s) => s.close?.()));
  }

  private async writeOne(input: Omit<AuditEntry, "seq" | "instance" | "prevHash" | "hmac">) {
    if (this.dirty) {
      const tail = await readTail(this.file, this.opts.key).catch((e: unknown) => {
        throw e instanceof AuditUnavailableError ? e : new AuditUnavailableError(errorMessage(e));
      });
      this.head = tail ? { seq: tail.seq, hash: tail.hash } : this.head;
      this.dirty = false;
    }
    const seq = (this.head?.seq ?? 0) + 1;
    const { entry, line } = sealEntry(
      { ...input, seq, instance: this.instance, prevHash: this.head?.hash ?? GENESIS_HASH },
      this.opts.key,
    );
    await appendLine(this.file, `${line}\n`, () => (this.dirty = true));
    const head = { seq, hash: lineHash(line) };
    this.head = head;
    try {
      await this.opts.headStore.set(head);
    } catch (e) {
      // The line is on disk; refusing now leaves an intent without outcome ("outcome unknown"),
      // which is the honest state. The next successful set catches the database up.
      throw new AuditUnavailableError(
        `entry ${seq} was written but the database head was not updated: ${errorMessage(e)}`,
      );
    }
    return { entry, line };
  }
}

async function appendLine(file: string, text: string, onMaybeWritten: () => void): Promise<void> {
  let fh;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    fh = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  } catch (e) {
    throw new AuditUnavailableError(`cannot open ${file}: ${errorMessage(e)}`);
  }
  try {
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) {
      onMaybeWritten();
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    await fh.sync();
  } catch (e) {
    throw new AuditUnavailableError(`cannot write ${file}: ${errorMessage(e)}`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function prepare(input: AuditInput): Omit<AuditEntry, "seq" | "instance" | "prevHash" | "hmac"> {
  if (!KINDS.has(input.kind))
    throw new ValidationError(`audit kind must be intent, outcome or event, got "${input.kind}"`);
  if (!input.action) throw new ValidationError("audit entries need an action");
  if (input.kind === "outcome" && !input.id) throw new ValidationError("an outcome needs the id of its intent");
  const entry: Omit<AuditEntry, "seq" | "instance" | "prevHash" | "hmac"> = {
    ...input,
    id: input.id ?? randomUUID(),
    ts: input.ts ?? new Date().toISOString(),
  };
  for (const field of ["params", "preview", "before", "after", "verify"] as const) {
    if (entry[field] !== undefined) entry[field] = redact(entry[field]);
  }
  return entry;
}

async function loadInstanceId(dir: string): Promise<string> {
  const file = path.join(dir, "instance-id");
  try {
    const id = (await readFile(file, "utf8")).trim();
    if (id) return id;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const id = randomUUID();
  await writeFile(file, `${id}\n`, { mode: 0o600, flag: "wx" });
  return id;
}

export async function openAuditLog(opts: OpenAuditLogOptions): Promise<AuditLog> {
  const file = path.join(opts.dir, AUDIT_FILE_NAME);
  let instance: string;
  try {
    ensurePrivateDir(opts.dir);
    instance = opts.instance ?? (await loadInstanceId(opts.dir));
    tightenFiles([file]);
  } catch (e) {
    throw new AuditUnavailableError(`cannot prepare ${opts.dir}: ${errorMessage(e)}`);
  }
  const tail = await readTail(file, opts.key).catch((e: unknown) => {
    throw e instanceof AuditUnavailableError ? e : new AuditUnavailableError(errorMessage(e));
  });
  if (tail && tail.instance !== instance)
    throw new AuditUnavailableError(`${file} belongs to instance ${tail.instance}, not ${instance}`);
  const head = await reconcileHead(file, tail, opts.headStore);
  if (head) await opts.headStore.set(head).catch(() => undefined); // catch a lagging DB copy up
  return new AuditLog(file, instance, head, opts);
}

// The process-wide log used by the action registry. Without one, every append is refused.
const current = () => processState("audit/log", () => ({ log: null as AuditLog | null }));

export function setAuditLog(log: AuditLog | null): void {
  current().log = log;
}

export function appendAudit(input: AuditInput): Promise<AppendResult> {
  const log = current().log;
  if (!log) return Promise.reject(new AuditUnavailableError("no audit log is configured"));
  return log.append(input);
}

export class MemoryHeadStore implements HeadStore {
  constructor(private head: ChainHead | null = null) {}
  async get() {
    return this.head ? { ...this.head } : null;
  }
  async set(head: ChainHead) {
    this.head = { ...head };
  }
}
