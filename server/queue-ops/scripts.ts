import "server-only";
import type { Redis } from "ioredis";

// Lua scripts: each call is atomic in Redis, so every message is in exactly one list at any moment
// a worker, a producer or a crash could observe. Batches stay small (≈100 messages) so no call
// holds Redis for more than a few milliseconds.

/**
 * KEYS: src, dst. ARGV: n, then n pairs (expected, replacement), consumer end first.
 * Moves from the consumer end of src to the producer end of dst (order kept), each message only while the
 * consumer end still holds exactly the bytes we read, and lands as its replacement (the same message with its
 * delivery_info pointing at dst): a worker that popped it meanwhile wins, nothing is lost or doubled.
 * Returns {moved, remaining length of src}.
 */
const MOVE_BATCH = `
local n, moved = tonumber(ARGV[1]), 0
for i = 1, n do
  if redis.call('LINDEX', KEYS[1], -1) ~= ARGV[2 * i] then break end
  redis.call('RPOP', KEYS[1])
  redis.call('LPUSH', KEYS[2], ARGV[2 * i + 1])
  moved = moved + 1
end
return {moved, redis.call('LLEN', KEYS[1])}`;

/**
 * KEYS: src, dst. ARGV: tombstone, n, then n triples (position from the consumer end, expected, replacement),
 * positions ascending. All or nothing: when any position no longer holds what we read (a worker popped
 * meanwhile), nothing changes and -1 is returned. Otherwise the chosen messages are marked with the tombstone
 * in place, their replacements pushed to dst in order, and the tombstones removed, so the messages that stay
 * keep their order. Returns the number moved.
 */
const MOVE_PICKED = `
local tomb, n = ARGV[1], tonumber(ARGV[2])
for i = 0, n - 1 do
  if redis.call('LINDEX', KEYS[1], -(tonumber(ARGV[3 + 3 * i]) + 1)) ~= ARGV[4 + 3 * i] then return -1 end
end
for i = 0, n - 1 do
  redis.call('LSET', KEYS[1], -(tonumber(ARGV[3 + 3 * i]) + 1), tomb)
  redis.call('LPUSH', KEYS[2], ARGV[5 + 3 * i])
end
if n > 0 then redis.call('LREM', KEYS[1], -n, tomb) end
return n`;

/**
 * KEYS: unacked, unacked_index, unacked_mutex, dst1[, dst2...]. ARGV: tag, expectedRaw, mutexToken, newPayload.
 * kombu's restore_by_tag as one step: only while we still hold kombu's mutex, and only if the
 * unacked entry is still exactly what we read (a worker that acked meanwhile wins).
 * Returns 1 restored, 0 gone or changed (left alone), -1 mutex lost.
 */
const RESTORE_UNACKED = `
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return -1 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
for i = 4, #KEYS do redis.call('RPUSH', KEYS[i], ARGV[4]) end
return 1`;

/** KEYS: unacked, unacked_index, mutex. ARGV: tag, token. An index entry whose message is gone: drop it as kombu does. */
const DROP_STALE_INDEX = `
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('ZREM', KEYS[2], ARGV[1])`;

/** KEYS: mutex. ARGV: token. Release only our own lock (as redis-py's Lock.release does). */
const RELEASE_MUTEX = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: src, dst. ARGV: offset from the consumer end, expected, replacement, tombstone.
 * Takes exactly one message out of the middle of a list: only while the offset still holds exactly the bytes we
 * read (else 0, nothing changes), marked with the tombstone in place and removed by LREM from the nearer end, then
 * its replacement pushed on dst's producer end. Returns 1 moved, 0 not there (any more).
 */
const TAKE_ONE = `
local offset = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], -(offset + 1)) ~= ARGV[2] then return 0 end
redis.call('LSET', KEYS[1], -(offset + 1), ARGV[4])
if offset < redis.call('LLEN', KEYS[1]) / 2 then
  redis.call('LREM', KEYS[1], -1, ARGV[4])
else
  redis.call('LREM', KEYS[1], 1, ARGV[4])
end
redis.call('LPUSH', KEYS[2], ARGV[3])
return 1`;

/** Queue keys are bytes (queue names need not be UTF-8). */
type Key = string | Buffer;

export interface QueueOpsCommands {
  lwMoveBatch(src: Key, dst: Key, n: number, ...expectedThenReplacement: Buffer[]): Promise<[number, number]>;
  lwMovePicked(
    src: Key,
    dst: Key,
    tomb: string,
    n: number,
    ...posExpectedReplacement: (number | Buffer)[]
  ): Promise<number>;
  lwRestoreUnacked(...keysThenArgs: (Key | number)[]): Promise<number>;
  lwDropStaleIndex(unacked: string, index: string, mutex: string, tag: string, token: string): Promise<number>;
  lwReleaseMutex(mutex: string, token: string): Promise<number>;
  lwTakeOne(src: Key, dst: Key, offset: number, expected: Buffer, replacement: Buffer, tomb: string): Promise<number>;
}

/** Defines the scripts on this client once (EVALSHA with EVAL fallback, via ioredis). */
export function withQueueOps(redis: Redis): Redis & QueueOpsCommands {
  const r = redis as Redis & QueueOpsCommands & { __lwQueueOps?: number };
  // A version, not a flag: a client kept across a hot reload gets the scripts added since.
  if (r.__lwQueueOps !== 2) {
    r.defineCommand("lwMoveBatch", { numberOfKeys: 2, lua: MOVE_BATCH });
    r.defineCommand("lwMovePicked", { numberOfKeys: 2, lua: MOVE_PICKED });
    // Variable key count: the caller passes numkeys first.
    r.defineCommand("lwRestoreUnacked", { lua: RESTORE_UNACKED });
    r.defineCommand("lwDropStaleIndex", { numberOfKeys: 3, lua: DROP_STALE_INDEX });
    r.defineCommand("lwReleaseMutex", { numberOfKeys: 1, lua: RELEASE_MUTEX });
    r.defineCommand("lwTakeOne", { numberOfKeys: 2, lua: TAKE_ONE });
    r.__lwQueueOps = 2;
  }
  return r;
}
