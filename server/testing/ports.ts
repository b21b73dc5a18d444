// test-only: loopback ports for the servers a test starts itself.
import { createServer } from "node:net";

/** A free loopback port, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Refuses a port that something already listens on. A test that starts "its own" redis-server on a taken port would
 * otherwise ping, and then use (and stop, and flush) whoever holds it: a developer's Redis, or another run's.
 */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is taken (${e.code ?? e.message}): refusing to start a test server on it`)),
    );
    s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
  });
}
