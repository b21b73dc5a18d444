// test-only: a unix-socket proxy in front of the Docker socket, so a test can make "dockerd" vanish and come
// back for the console without stopping the real engine that other tests (and the CI machine) depend on.
import { rmSync } from "node:fs";
import net from "node:net";

export interface SocketProxy { path: string; up(): Promise<void>; down(): Promise<void> }

export function socketProxy(path: string, target = "/var/run/docker.sock"): SocketProxy {
  let server: net.Server | null = null;
  const conns = new Set<net.Socket>();
  return {
    path,
    async up() {
      rmSync(path, { force: true });
      server = net.createServer((client) => {
        const upstream = net.connect(target);
        conns.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => { client.destroy(); upstream.destroy(); conns.delete(client); conns.delete(upstream); };
        client.on("error", close).on("close", close);
        upstream.on("error", close).on("close", close);
      });
      await new Promise<void>((r) => server!.listen(path, r));
    },
    async down() {
      for (const c of conns) c.destroy();
      conns.clear();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = null;
      rmSync(path, { force: true });
    },
  };
}
