import "server-only";
import { getDb } from "@/server/db";
import { RateLimitedError } from "@/server/errors";

// Failed sign-ins slow the guesser down without locking the owner out (OWASP's and Grafana's advice): the delay is
// per account *and* address, so guesses for "admin" from one address never hold back the admin at another; it grows
// (30 s, 1 min, 2 min, ... up to 15 min) instead of locking; and each attempt is claimed with a compare-and-set on
// one row per key before the password is checked, so parallel guesses can't overshoot. Stored in the database, so
// several console instances share it. An hour without failures forgets a key. `npm run user -- unlock` clears it.

const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
const QUIET_RESET_MS = 60 * 60_000;

export const THROTTLES = {
  /** One account from one address. */
  account: { free: 5, message: "Too many failed sign-ins for this account from your address" },
  /** Every account from one address (password spraying). */
  address: { free: 30, message: "Too many failed sign-ins from your address" },
  /** The first-start setup link. */
  setup: { free: 5, message: "Too many setup attempts from your address" },
} as const;
type Throttle = (typeof THROTTLES)[keyof typeof THROTTLES];

/** The wait after `failures` failures: none for the free ones, then doubling from 30 s, capped at 15 minutes. */
function delayAfterMs(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(failures - free, 20), MAX_DELAY_MS);
}

export const accountKey = (username: string, ip: string | null) => `acct:${username.toLowerCase()}|${ip ?? "-"}`;
export const addressKey = (ip: string) => `addr:${ip}`;
export const setupKey = (ip: string | null) => `setup:${ip ?? "-"}`;

/**
 * Claims one attempt for `key`, counted as a failure up front (a success clears it afterwards). Throws a 429 while
 * the key must wait. The update only lands if the row is unchanged since it was read, so of N parallel guesses
 * exactly as many pass as the allowance leaves.
 */
export async function claimAttempt(key: string, t: Throttle): Promise<void> {
  const db = await getDb();
  await pruneQuietKeys();
  for (let round = 0; round < 50; round++) {
    const now = Date.now();
    await db
      .insertInto("login_throttle")
      .values({ key, failures: 0, not_before: 0, updated_at: now })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const row = await db.selectFrom("login_throttle").selectAll().where("key", "=", key).executeTakeFirst();
    if (!row) continue; // cleared between the two statements
    const quiet = now - Number(row.updated_at) > QUIET_RESET_MS;
    const notBefore = Number(row.not_before);
    if (!quiet && notBefore > now)
      throw new RateLimitedError(
        `${t.message}; try again in ${Math.ceil((notBefore - now) / 1000)} seconds.`,
        Math.ceil((notBefore - now) / 1000),
      );
    const failures = (quiet ? 0 : Number(row.failures)) + 1;
    const r = await db
      .updateTable("login_throttle")
      .set({ failures, not_before: now + delayAfterMs(failures, t.free), updated_at: now })
      .where("key", "=", key)
      .where("failures", "=", row.failures)
      .where("updated_at", "=", row.updated_at)
      .where("not_before", "=", row.not_before)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return;
  }
  throw new RateLimitedError(`${t.message}; try again in a few seconds.`, 5);
}

/** Takes back one claimed attempt that turned out to be a success (the address-wide count is for failures only). */
export async function refundAttempt(key: string, t: Throttle): Promise<void> {
  const db = await getDb();
  await db
    .updateTable("login_throttle")
    .set((eb) => ({ failures: eb("failures", "-", 1) }))
    .where("key", "=", key)
    .where("failures", ">", 0)
    .execute();
  await db
    .updateTable("login_throttle")
    .set({ not_before: 0 })
    .where("key", "=", key)
    .where("failures", "<", t.free)
    .execute();
}

export async function clearAttempts(key: string): Promise<void> {
  const db = await getDb();
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}

/** Host-side recovery (`npm run user -- unlock <name>`): forgets the failures for an account from every address. */
export async function clearAccountFromAllAddresses(username: string): Promise<number> {
  const db = await getDb();
  const prefix = accountKey(username, "").slice(0, -1);
  const rows = await db.selectFrom("login_throttle").select("key").execute();
  const keys = rows.map((r) => r.key).filter((k) => k.startsWith(prefix));
  if (keys.length > 0) await db.deleteFrom("login_throttle").where("key", "in", keys).execute();
  return keys.length;
}

// Every guessed username makes a row: forget quiet ones, at most once a minute, so the table stays bounded.
let lastPruneAt = 0;
async function pruneQuietKeys(): Promise<void> {
  const now = Date.now();
  if (now - lastPruneAt < 60_000) return;
  lastPruneAt = now;
  const db = await getDb();
  await db
    .deleteFrom("login_throttle")
    .where("updated_at", "<", now - QUIET_RESET_MS)
    .execute();
}
