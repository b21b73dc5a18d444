// test-only: a unix-socket proxy in front of the Docker socket. A test can make "dockerd" vanish and come back
// for the console without stopping the real engine (down/up), take it down at the exact moment a matching
// request has been forwarded (downAfter), or just learn that such a request has reached the engine (seen).
import { rmSync } from "node:fs";
import net from "node:net";

export interface SocketProxy {
  path: string;
  up(): Promise<void>;
  down(): Promise<void>;
  /** Resolves once a request matching `request` was forwarded and the proxy then went down. */
  downAfter(request: RegExp): Promise<void>;
  /** Resolves once a request matching `request` was forwarded (the proxy stays up). */
  seen(request: RegExp): Promise<void>;
}

interface Trigger {
  request: RegExp;
  thenDown: boolean;
  fired: () => void;
}

export function socketProxy(socketPath: string, target = "/var/run/docker.sock"): SocketProxy {
  let server: net.Server | null = null;
  let trigger: Trigger | null = null;
  const conns = new Set<net.Socket>();
  const proxy: SocketProxy = {
    path: socketPath,
    async up() {
      rmSync(socketPath, { force: true });
      server = net.createServer((client) => {
        const upstream = net.connect(target);
        conns.add(client).add(upstream);
        const close = () => {
          client.destroy();
          upstream.destroy();
          conns.delete(client);
          conns.delete(upstream);
        };
        client.on("error", close).on("close", close);
        upstream.on("error", close).on("close", close);
        upstream.pipe(client);
        client.on("data", (d) => {
          upstream.write(d);
          if (!trigger || !trigger.request.test(d.toString("latin1"))) return;
          const t = trigger;
          trigger = null;
          // The request is on its way to the engine; with thenDown its answer will find nobody to read it.
          if (t.thenDown) void proxy.down().then(t.fired);
          else t.fired();
        });
      });
      await new Promise<void>((r) => server!.listen(socketPath, r));
    },
    async down() {
      const s = server;
      server = null;
      for (const c of conns) c.destroy();
      conns.clear();
      rmSync(socketPath, { force: true });
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    },
    downAfter(request) {
      return new Promise<void>((fired) => {
        trigger = { request, thenDown: true, fired };
      });
    },
    seen(request) {
      return new Promise<void>((fired) => {
        trigger = { request, thenDown: false, fired };
      });
    },
  };
  return proxy;
}
