import "server-only";
import type { Redis } from "ioredis";
import type { AuditSink } from "../types";

// A copy of each audit line in a Redis stream (XADD), for pipelines that already read Redis.
// Capped approximately (MAXLEN ~) so the stream cannot grow without bound.

export interface RedisStreamSinkOptions {
  key: string;
  maxLen?: number;
}

export function redisStreamSink(redis: Redis, opts: RedisStreamSinkOptions): AuditSink {
  const maxLen = opts.maxLen ?? 100_000;
  return {
    name: `redis-stream:${opts.key}`,
    async write(entry, line) {
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
