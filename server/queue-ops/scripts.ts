import "server-only";
import type { Redis } from "ioredis";

// Lua scripts: each call is atomic in Redis, so every message is in exactly one list at any moment
// a worker, a producer or a crash could observe. Batches stay small (≈100 messages) so no call
// holds Redis for more than a few milliseconds.

/** KEYS: src, dst. ARGV: max. Moves from the consumer end of src to the producer end of dst (order kept). */
const MOVE_BATCH = `
local n, max = 0, tonumber(ARGV[1])
while n < max do
  if not redis.call('RPOPLPUSH', KEYS[1], KEYS[2]) then break end
  n = n + 1
end
return {n, redis.call('LLEN', KEYS[1])}`;

/**
 * KEYS: src, dst. ARGV: maxMoves, maxScan, skip, task, tombstone.
 * Scans src from the consumer end, starting after the `skip` non-matching messages seen by
 * earlier calls; matching messages are marked with a tombstone in place, pushed to dst in order,
 * and the tombstones removed at the end, so messages that stay keep their positions. The message
 * is only decoded to read headers.task; the original bytes are what moves.
 * Returns {moved, newSkip, reachedEnd}.
 */
const MOVE_FILTERED_BATCH = `
local maxMoves, maxScan, skip = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local task, tomb = ARGV[4], ARGV[5]
local len = redis.call('LLEN', KEYS[1])
local moved, kept, scanned, p = 0, 0, 0, skip
while p < len and scanned < maxScan and moved < maxMoves do
  local v = redis.call('LINDEX', KEYS[1], -(p + 1))
  local ok, msg = pcall(cjson.decode, v)
  if ok and type(msg) == 'table' and type(msg.headers) == 'table' and msg.headers.task == task then
    redis.call('LSET', KEYS[1], -(p + 1), tomb)
    redis.call('LPUSH', KEYS[2], v)
    moved = moved + 1
  else
    kept = kept + 1
  end
  scanned = scanned + 1
  p = p + 1
end
if moved > 0 then redis.call('LREM', KEYS[1], -moved, tomb) end
return {moved, skip + kept, p >= len and 1 or 0}`;

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

/** Queue keys are bytes (queue names need not be UTF-8). */
type Key = string | Buffer;

export interface QueueOpsCommands {
  lwMoveBatch(src: Key, dst: Key, max: number): Promise<[number, number]>;
  lwMoveFilteredBatch(src: Key, dst: Key, maxMoves: number, maxScan: number, skip: number, task: string, tomb: string): Promise<[number, number, number]>;
  lwRestoreUnacked(...keysThenArgs: (Key | number)[]): Promise<number>;
  lwDropStaleIndex(unacked: string, index: string, mutex: string, tag: string, token: string): Promise<number>;
  lwReleaseMutex(mutex: string, token: string): Promise<number>;
}

/** Defines the scripts on this client once (EVALSHA with EVAL fallback, via ioredis). */
export function withQueueOps(redis: Redis): Redis & QueueOpsCommands {
  const r = redis as Redis & QueueOpsCommands & { __lwQueueOps?: true };
  if (!r.__lwQueueOps) {
    r.defineCommand("lwMoveBatch", { numberOfKeys: 2, lua: MOVE_BATCH });
    r.defineCommand("lwMoveFilteredBatch", { numberOfKeys: 2, lua: MOVE_FILTERED_BATCH });
    // Variable key count: the caller passes numkeys first.
    r.defineCommand("lwRestoreUnacked", { lua: RESTORE_UNACKED });
    r.defineCommand("lwDropStaleIndex", { numberOfKeys: 3, lua: DROP_STALE_INDEX });
    r.defineCommand("lwReleaseMutex", { numberOfKeys: 1, lua: RELEASE_MUTEX });
    r.__lwQueueOps = true;
  }
  return r;
}
