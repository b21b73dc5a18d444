import "server-only";
import type { Redis } from "ioredis";
import type { AuditSink } from "../types";

// A copy of each audit line in a Redis stream (XADD), for pipelines that already read Redis.
// Capped approximately (MAXLEN ~) so the stream cannot grow without bound.

export interface RedisStreamSinkOptions {
  key: string;
  maxLen?: number;
  /** How long a write waits for the client's first connection (the console's first entries come right at start). */
  firstConnectMs?: number;
}

/**
 * Waits for a client that is still making its first connection: without an offline queue, a command sent before the
 * client is ready fails at once, so the entries written right after start-up (a sign-in) would miss the stream. A
 * client that was connected and is reconnecting fails fast instead: an audited action does not wait on a down sink.
 */
async function firstConnection(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status !== "connecting" && redis.status !== "connect") return;
  await new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("end", onEnd);
      if (e) reject(e);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error("the connection closed before it was ready"));
    const timer = setTimeout(() => done(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
    redis.once("ready", onReady);
    redis.once("end", onEnd);
  });
}

export function redisStreamSink(redis: Redis, opts: RedisStreamSinkOptions): AuditSink {
  const maxLen = opts.maxLen ?? 100_000;
  return {
    name: `redis-stream:${opts.key}`,
    async write(entry, line) {
      await firstConnection(redis, opts.firstConnectMs ?? 2_000);
      await redis.xadd(
        opts.key,
        "MAXLEN",
        "~",
        String(maxLen),
        "*",
        "seq",
        String(entry.seq),
        "id",
        entry.id,
        "kind",
        entry.kind,
        "action",
        entry.action,
        "instance",
        entry.instance,
        "entry",
        line,
      );
    },
  };
}
