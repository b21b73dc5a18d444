// A TLS broker as Celery/Dify configure one: Debian's redis-server with --tls-port and client certificates required,
// certificates made here by openssl (a private CA, a server and a client certificate). Real Celery 5.2 produces and
// works through `rediss://...?ssl_cert_reqs=required&ssl_ca_certs=...&ssl_certfile=...&ssl_keyfile=...`; the console
// reads the same broker from that URL, or from a plain rediss:// URL plus the per-broker `ssl` section of the JSON
// config, and refuses a server its CA did not sign.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllBrokers, withBroker } from "@/server/celery/connections";
import { readDepths } from "@/server/celery/depth";
import { layoutOf } from "@/server/celery/kombu-keys";
import { ping } from "@/server/celery/pidbox";
import { resetSamplerState, sampleBroker } from "@/server/celery/sampler";
import type { BrokerConfig } from "@/server/config";
import {
  kombuCount,
  produce,
  spawnGroup,
  startCeleryWorker,
  stopAllProcesses,
  waitFor,
  type ProcessHandle,
} from "@/server/testing/harness";

const TLS_PORT = 6412;
const dir = mkdtempSync(path.join(tmpdir(), "lw-tls-"));
const file = (name: string) => path.join(dir, name);
let server: ProcessHandle | undefined;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA, and a certificate for `name` signed by it (IP SAN 127.0.0.1, as the broker is addressed). */
function makeCa(ca: string): void {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${ca}.key`,
    "-out",
    `${ca}.crt`,
    "-days",
    "2",
    "-subj",
    `/CN=${ca}`,
  );
}
function makeCert(ca: string, name: string): void {
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-copy_extensions",
    "copy",
  );
}

const q = new URLSearchParams({
  ssl_cert_reqs: "required",
  ssl_ca_certs: file("ca.crt"),
  ssl_certfile: file("client.crt"),
  ssl_keyfile: file("client.key"),
});
const celeryUrl = `rediss://127.0.0.1:${TLS_PORT}/1?${q}`;
const env = { BROKER_URL: celeryUrl, RECORD_REDIS_URL: celeryUrl.replace("/1?", "/2?") };
const base: Omit<BrokerConfig, "name" | "url"> = {
  globalKeyprefix: "",
  prioritySteps: [0, 3, 6, 9],
  visibilityTimeoutSeconds: 3600,
  queues: ["dataset"],
};
const fromUrl: BrokerConfig = { ...base, name: "tls-url", url: celeryUrl };
const fromFile: BrokerConfig = {
  ...base,
  name: "tls-file",
  url: `rediss://127.0.0.1:${TLS_PORT}/1`,
  tls: { certReqs: "required", caCerts: file("ca.crt"), certfile: file("client.crt"), keyfile: file("client.key") },
};
const thresholds = { thresholds: { queueDepth: 200 }, queueThresholds: {} };

beforeAll(async () => {
  makeCa("ca");
  makeCert("ca", "server");
  makeCert("ca", "client");
  makeCa("other-ca");
  server = spawnGroup("redis-server", [
    "--port",
    "0",
    "--tls-port",
    String(TLS_PORT),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--tls-cert-file",
    file("server.crt"),
    "--tls-key-file",
    file("server.key"),
    "--tls-ca-cert-file",
    file("ca.crt"),
    "--tls-auth-clients",
    "yes",
  ]);
  await waitFor(() => withBroker(fromFile, async (r) => (await r.ping()) === "PONG"), {
    what: "the TLS redis-server",
    timeoutMs: 20_000,
  });
}, 60_000);
afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  closeAllBrokers();
  resetSamplerState();
  await server?.stop("SIGKILL", 0);
  rmSync(dir, { recursive: true, force: true });
});

describe("a TLS broker with a private CA and client certificates", () => {
  it("counts what kombu counts and reaches the worker, configured by URL or by the ssl section", async () => {
    await produce({ queue: "dataset", count: 5, priority: "mix", env });
    const kombu = await kombuCount(["dataset"], env);
    expect(kombu.counts.dataset).toBe(5);
    for (const b of [fromUrl, fromFile]) {
      const d = await withBroker(b, (r) => readDepths(r, layoutOf(b), ["dataset"]));
      expect(d.get("dataset")?.depth).toBe(kombu.counts.dataset);
    }

    const worker = startCeleryWorker({ queues: ["mail"], hostname: `tls-${process.pid}`, env });
    await worker.waitReady();
    const pong = await waitFor(
      async () => {
        const r = await ping(fromFile, { expectReplies: 1 });
        return Object.keys(r).length === 1 && r;
      },
      { timeoutMs: 20_000, what: "the worker to answer over TLS" },
    );
    expect(Object.values(pong)).toEqual([{ ok: "pong" }]);
  });

  it("refuses a server certificate its CA did not sign, and a server that wants a client certificate it lacks", async () => {
    const wrongCa: BrokerConfig = {
      ...fromFile,
      name: "tls-wrong-ca",
      tls: { ...fromFile.tls, caCerts: file("other-ca.crt") },
    };
    expect((await sampleBroker(wrongCa, thresholds)).ok).toBe(false);
    const noClientCert: BrokerConfig = {
      ...fromFile,
      name: "tls-no-client",
      tls: { certReqs: "required", caCerts: file("ca.crt") },
    };
    expect((await sampleBroker(noClientCert, thresholds)).ok).toBe(false);
    expect((await sampleBroker(fromFile, thresholds)).ok).toBe(true);
  });
});
