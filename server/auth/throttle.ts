import "server-only";
import { getDb } from "@/server/db";
import { RateLimitedError } from "@/server/errors";

// Login throttling per account and per address, over a sliding window stored in the database
// so that several console instances share it.

const WINDOW_MS = 15 * 60_000;
const MAX_PER_ACCOUNT = 10;
const MAX_PER_ADDRESS = 30;

async function countSince(key: string, since: number): Promise<number> {
  const db = await getDb();
  const r = await db.selectFrom("login_attempts").select((eb) => eb.fn.countAll<number>().as("n")).where("key", "=", key).where("ts", ">=", since).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function checkLoginThrottle(username: string, ip: string | null): Promise<void> {
  const since = Date.now() - WINDOW_MS;
  if ((await countSince(`user:${username.toLowerCase()}`, since)) >= MAX_PER_ACCOUNT)
    throw new RateLimitedError("Too many failed sign-ins for this account; try again in 15 minutes.", 900);
  if (ip && (await countSince(`ip:${ip}`, since)) >= MAX_PER_ADDRESS)
    throw new RateLimitedError("Too many failed sign-ins from this address; try again in 15 minutes.", 900);
}

export async function recordLoginFailure(username: string, ip: string | null): Promise<void> {
  const db = await getDb();
  const ts = Date.now();
  const rows = [{ key: `user:${username.toLowerCase()}`, ts }];
  if (ip) rows.push({ key: `ip:${ip}`, ts });
  await db.insertInto("login_attempts").values(rows).execute();
  await db.deleteFrom("login_attempts").where("ts", "<", ts - WINDOW_MS).execute();
}

export async function clearLoginFailures(username: string): Promise<void> {
  const db = await getDb();
  await db.deleteFrom("login_attempts").where("key", "=", `user:${username.toLowerCase()}`).execute();
}
