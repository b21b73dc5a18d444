import "server-only";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { hostname } from "node:os";
import { connect, type Socket } from "node:net";
import type { AuditEntry, AuditSink } from "../types";

// RFC 5424 syslog copy of each audit line, over UDP (one datagram per entry) or TCP with RFC 6587
// octet-counting framing ("<len> <msg>"), which survives newlines in the message.

export interface SyslogSinkOptions {
  host: string;
  port: number;
  protocol: "udp" | "tcp";
  /** 13 = "log audit" (RFC 5424 table 1). */
  facility?: number;
  appName?: string;
  hostname?: string;
}

const SEVERITY_NOTICE = 5;
const SEVERITY_WARNING = 4;

/** Header field: printable US-ASCII without spaces, "-" when empty (RFC 5424 6.2). */
function field(value: string, maxLength: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, "").slice(0, maxLength);
  return clean || "-";
}

export function formatRfc5424(
  entry: AuditEntry,
  line: string,
  opts: Pick<SyslogSinkOptions, "facility" | "appName" | "hostname">,
): string {
  const failed = entry.kind === "outcome" && entry.result !== undefined && entry.result !== "ok";
  const pri = (opts.facility ?? 13) * 8 + (failed ? SEVERITY_WARNING : SEVERITY_NOTICE);
  const host = field(opts.hostname ?? hostname(), 255);
  const app = field(opts.appName ?? "leakwatch", 48);
  const msgId = field(`audit.${entry.kind}`, 32);
  return `<${pri}>1 ${entry.ts} ${host} ${app} ${process.pid} ${msgId} - ${line}`;
}

export function syslogSink(opts: SyslogSinkOptions): AuditSink {
  let udp: UdpSocket | null = null;
  let tcp: Promise<Socket> | null = null;

  const tcpSocket = (): Promise<Socket> => {
    tcp ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: opts.host, port: opts.port });
      s.once("connect", () => resolve(s));
      s.once("error", (e) => {
        tcp = null; // reconnect on the next entry
        reject(e);
      });
      s.once("close", () => (tcp = null));
    });
    return tcp;
  };

  return {
    name: `syslog-${opts.protocol}:${opts.host}:${opts.port}`,
    async write(entry, line) {
      const msg = Buffer.from(formatRfc5424(entry, line, opts), "utf8");
      if (opts.protocol === "udp") {
        udp ??= createSocket(opts.host.includes(":") ? "udp6" : "udp4");
        await new Promise<void>((resolve, reject) =>
          udp!.send(msg, opts.port, opts.host, (e) => (e ? reject(e) : resolve())),
        );
        return;
      }
      const s = await tcpSocket();
      const frame = Buffer.concat([Buffer.from(`${msg.length} `, "ascii"), msg]);
      await new Promise<void>((resolve, reject) => s.write(frame, (e) => (e ? reject(e) : resolve())));
    },
    async close() {
      udp?.close();
      udp = null;
      if (tcp) (await tcp.catch(() => null))?.end();
      tcp = null;
    },
  };
}
