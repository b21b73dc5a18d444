// test-only: a Debian bookworm VM under QEMU (scripts/vm.sh) with cgroup v2, systemd and Docker's systemd cgroup
// driver, and the console's production build running inside it, driven over HTTP on a forwarded loopback port.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const VM_SH = path.join(ROOT, "scripts/vm.sh");
const STANDALONE = path.join(ROOT, ".next/standalone");

export interface Vm {
  runDir: string;
  httpPort: number;
  bootSeconds: number;
  /** Runs a shell command in the VM as root; rejects on a non-zero exit with its stderr. */
  sh(command: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

async function script(args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await run("bash", [VM_SH, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function bootVm(): Promise<Vm> {
  if (!existsSync(path.join(STANDALONE, "leakwatch-server.mjs")))
    throw new Error(
      "no production build: run `npx next build && bash scripts/prepare-standalone.sh` first (scripts/test.sh does)",
    );
  await run("bash", [path.join(ROOT, "scripts/build-fixtures.sh")], { timeout: 600_000 });
  const runDir = mkdtempSync(path.join(tmpdir(), "leakwatch-vm-"));
  const sshPort = Number(process.env.LEAKWATCH_VM_SSH_PORT) || (await freePort());
  const httpPort = Number(process.env.LEAKWATCH_VM_HTTP_PORT) || (await freePort());
  await script(["build"], 3_600_000);
  await script(["boot", runDir, String(sshPort), String(httpPort), STANDALONE], 1_200_000);
  const bootSeconds = Number(readFileSync(path.join(runDir, "boot-seconds"), "utf8"));
  const sh = async (command: string, timeoutMs = 120_000) => {
    try {
      return await script(["ssh", runDir, command], timeoutMs);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`in the VM: ${command}\n${err.stderr ?? ""}${err.message}`);
    }
  };
  return { runDir, httpPort, bootSeconds, sh, stop: async () => void (await script(["stop", runDir], 120_000)) };
}

export const ADMIN_PASSWORD = "vm-admin-password-1";

/** Starts the console inside the VM as a transient systemd service and waits until it answers. */
export async function startConsoleInVm(vm: Vm, env: Record<string, string> = {}): Promise<ConsoleClient> {
  const all: Record<string, string> = {
    NODE_ENV: "production",
    PORT: "3000",
    // Inside the VM: QEMU's forward reaches the guest's address, not its loopback.
    HOSTNAME: "0.0.0.0",
    LEAKWATCH_HOST: "0.0.0.0",
    LEAKWATCH_DATA_DIR: "/var/lib/leakwatch/console",
    LEAKWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LEAKWATCH_SAMPLE_INTERVAL_MS: "1000",
    LEAKWATCH_QUEUE_PRESETS: "none",
    ...env,
  };
  const setenv = Object.entries(all)
    .map(([k, v]) => `--setenv=${k}=${v}`)
    .join(" ");
  await vm.sh(
    `mountpoint -q /opt/leakwatch || mount LABEL=lwconsole /opt/leakwatch; systemctl stop leakwatch-console 2>/dev/null; systemctl reset-failed leakwatch-console 2>/dev/null; ` +
      `systemd-run --unit leakwatch-console --working-directory=/opt/leakwatch ${setenv} /usr/local/bin/node /opt/leakwatch/leakwatch-server.mjs`,
  );
  const client = new ConsoleClient(`http://127.0.0.1:${vm.httpPort}`);
  const end = Date.now() + 300_000;
  for (;;) {
    try {
      // A forwarded port accepts before the guest listens: without a timeout a fetch can hang on that half-open link.
      if ((await fetch(`${client.origin}/api/health`, { signal: AbortSignal.timeout(15_000) })).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end)
      throw new Error(
        `the console in the VM did not answer:\n${await vm.sh("journalctl -u leakwatch-console --no-pager | tail -n 40")}`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
  await client.login("admin", ADMIN_PASSWORD);
  return client;
}

const API_TIMEOUT_MS = 180_000;

/** The console's HTTP API as a signed-in browser uses it: session cookie, CSRF token and Origin on mutations. */
export class ConsoleClient {
  #cookie = "";
  #csrf = "";
  constructor(readonly origin: string) {}

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.origin}/api/auth/login`, {
      method: "POST",
      headers: { origin: this.origin, "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
    this.#cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    this.#csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  async get<T>(url: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.origin}${url}`, {
      headers: { cookie: this.#cookie },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async post<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.origin}${url}`, {
      method: "POST",
      headers: {
        cookie: this.#cookie,
        origin: this.origin,
        "x-csrf-token": this.#csrf,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
}
