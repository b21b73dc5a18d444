// The bench's Redis: the test Redis (LEAKWATCH_TEST_REDIS_URL, default 127.0.0.1:6391) in a db of its own,
// emptied before and after. Refuses port 6379, where a real broker may live.
import Redis from "ioredis";

export const BENCH_DB = Number(process.env.LEAKWATCH_BENCH_REDIS_DB ?? 9);
/** connection name, so SLOWLOG entries of this bench can be told from other clients' */
const BENCH_CLIENT_NAME = "leakwatch-bench";

export function benchRedisUrl(): string {
  const base = (process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391").replace(/\/\d*$/, "");
  if (/:6379$/.test(base) || !/:\d+$/.test(base))
    throw new Error(`refusing to bench against ${base}: not the test Redis`);
  return `${base}/${BENCH_DB}`;
}

export async function benchRedis(): Promise<Redis> {
  const client = new Redis(benchRedisUrl(), {
    lazyConnect: true,
    connectionName: BENCH_CLIENT_NAME,
    maxRetriesPerRequest: 1,
  });
  await client.connect();
  return client;
}

export async function flushBenchDb(): Promise<void> {
  const client = await benchRedis();
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

export interface SlowlogConfig {
  slowerThan: string;
  maxLen: string;
}

export async function readSlowlogConfig(client: Redis): Promise<SlowlogConfig> {
  const [, slowerThan = "10000"] = (await client.config("GET", "slowlog-log-slower-than")) as string[];
  const [, maxLen = "128"] = (await client.config("GET", "slowlog-max-len")) as string[];
  return { slowerThan, maxLen };
}

export async function writeSlowlogConfig(client: Redis, c: SlowlogConfig): Promise<void> {
  await client.config("SET", "slowlog-log-slower-than", c.slowerThan);
  await client.config("SET", "slowlog-max-len", c.maxLen);
}

type SlowEntry = [number, number, number, (string | Buffer)[], string, string];

/** Our commands in the slowlog (other clients of the same server are left out by connection name). */
export async function ourSlowlog(redis: Redis) {
  const len = Number(await redis.call("SLOWLOG", "LEN"));
  const entries = ((await redis.call("SLOWLOG", "GET", String(len))) as SlowEntry[]).filter(
    (e) => e[5] === BENCH_CLIENT_NAME && String(e[3][0]).toUpperCase() !== "SLOWLOG",
  );
  const byCommand = new Map<string, { count: number; maxUs: number; totalUs: number }>();
  for (const e of entries) {
    const cmd = String(e[3][0]).toUpperCase();
    const c = byCommand.get(cmd) ?? { count: 0, maxUs: 0, totalUs: 0 };
    c.count++;
    c.maxUs = Math.max(c.maxUs, e[2]);
    c.totalUs += e[2];
    byCommand.set(cmd, c);
  }
  const slowest = entries.reduce<SlowEntry | null>((a, e) => (!a || e[2] > a[2] ? e : a), null);
  return {
    commands: entries.length,
    maxUs: slowest?.[2] ?? 0,
    slowestCommand: slowest ? slowest[3].slice(0, 4).map(String).join(" ") : null,
    byCommand: Object.fromEntries(byCommand),
  };
}
