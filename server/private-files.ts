import "server-only";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";

// The data dir holds password hashes, session ids, the audit log and the key that signs it: owner-only, whatever
// the umask. Directories 0700 and files 0600, also when an older install created them wider.

function tighten(p: string, mode: number): void {
  try {
    chmodSync(p, mode);
  } catch (e) {
    // Missing is fine (an optional file); not being the owner is the operator's setup, not a reason to stop.
    if (!["ENOENT", "EPERM"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
}

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
}

/** Creates the file empty if missing (0600) and tightens an existing one, before anything else opens it. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, "a", 0o600));
  tighten(file, 0o600);
}

export function tightenFiles(files: string[]): void {
  for (const f of files) tighten(f, 0o600);
}
