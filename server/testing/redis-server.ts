// test-only: a throwaway redis-server on its own loopback port, which a test may stop and start again.
import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { assertPortFree } from "./ports";

export interface TestRedis {
  port: number;
  url(db?: number): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether a redis-server answers PING on 127.0.0.1:port (false while it is still starting, or gone). */
export async function answersPing(port: number, password?: string): Promise<boolean> {
  const c = new Redis({
    port,
    host: "127.0.0.1",
    password,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  c.on("error", () => {}); // probing a server that is still starting
  try {
    await c.connect();
    return (await c.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

export function testRedisServer(port: number): TestRedis {
  let proc: ChildProcess | null = null;
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    async start() {
      await assertPortFree(port);
      proc = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
      );
      for (let i = 0; i < 100; i++) {
        if (await answersPing(port)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`redis-server on ${port} did not start`);
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = null;
      await new Promise<void>((r) => {
        p.once("exit", () => r());
        p.kill("SIGKILL");
      });
    },
  };
}
