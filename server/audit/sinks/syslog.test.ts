import { createSocket } from "node:dgram";
import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { canonicalize } from "../canonical-json";
import type { AuditEntry } from "../types";
import { formatRfc5424, syslogSink } from "./syslog";

const entry: AuditEntry = {
  seq: 7,
  id: "a1",
  kind: "outcome",
  ts: "2025-01-01T00:00:00.000Z",
  instance: "i",
  actor: "ana",
  action: "queue.purge",
  result: "error",
  error: "boom",
  prevHash: "0".repeat(64),
  hmac: "f".repeat(64),
};
const line = canonicalize(entry);

describe("syslog sink", () => {
  it("formats RFC 5424: PRI from facility and severity, version 1, ISO time, '-' for empty SD", () => {
    const msg = formatRfc5424(entry, line, { facility: 13, appName: "leakwatch", hostname: "host a" });
    expect(msg).toBe(`<108>1 2025-01-01T00:00:00.000Z hosta leakwatch ${process.pid} audit.outcome - ${line}`);
    expect(formatRfc5424({ ...entry, kind: "intent", result: undefined }, line, { hostname: "h" })).toMatch(/^<109>1 /);
  });

  it("sends one datagram per entry over UDP", async () => {
    const server = createSocket("udp4");
    await new Promise<void>((r) => server.bind(0, "127.0.0.1", r));
    const got = new Promise<string>((r) => server.once("message", (m) => r(m.toString("utf8"))));
    const sink = syslogSink({ host: "127.0.0.1", port: server.address().port, protocol: "udp", hostname: "h" });
    await sink.write(entry, line);
    expect(await got).toMatch(
      new RegExp(`^<108>1 .* audit\\.outcome - ${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
    );
    await sink.close?.();
    server.close();
  });

  it("frames with octet counting over TCP", async () => {
    let received = "";
    const server = createServer((s) => s.on("data", (d) => (received += d.toString("utf8"))));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const sink = syslogSink({
      host: "127.0.0.1",
      port: (server.address() as AddressInfo).port,
      protocol: "tcp",
      hostname: "h",
    });
    await sink.write(entry, line);
    await sink.write({ ...entry, seq: 8 }, line);
    await sink.close?.();
    await new Promise((r) => setTimeout(r, 100));
    const first = /^(\d+) /.exec(received);
    expect(first).not.toBeNull();
    const len = Number(first![1]);
    const msg = Buffer.from(received, "utf8")
      .subarray(first![0].length, first![0].length + len)
      .toString("utf8");
    expect(msg.endsWith(line)).toBe(true);
    expect(received.match(/(^|\})\d+ <108>1 /g)).toHaveLength(2);
    server.close();
  });

  it("rejects when nothing listens (reported by fan-out, not fatal)", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const sink = syslogSink({ host: "127.0.0.1", port, protocol: "tcp" });
    await expect(sink.write(entry, line)).rejects.toThrow(/ECONNREFUSED/);
  });
});
