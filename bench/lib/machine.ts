// Facts about the machine a bench ran on, so numbers from different runs can be told apart.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import Database from "better-sqlite3";
import Redis from "ioredis";

const sh = (cmd: string, args: string[]): string | null => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 20_000 }).trim();
  } catch {
    return null;
  }
};

export interface MachineFacts {
  date: string;
  cpuCount: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string | null;
  node: string;
  docker: string | null;
  dockerCgroup: string | null;
  redis: string | null;
  sqlite: string;
  gitCommit: string | null;
  /** Other work on the machine skews wall times: recorded so a noisy run can be recognised. */
  loadAverage: number[];
}

async function redisVersion(url: string): Promise<string | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await client.connect();
    return /redis_version:(\S+)/.exec(await client.info("server"))?.[1] ?? null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

export async function machineFacts(redisUrl: string): Promise<MachineFacts> {
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? null;
    } catch {
      return null;
    }
  })();
  const memory = new Database(":memory:");
  const sqlite = (memory.prepare("select sqlite_version() as v").get() as { v: string }).v;
  memory.close();
  const dirty = sh("git", ["status", "--porcelain", "--untracked-files=no"]);
  const commit = sh("git", ["rev-parse", "--short", "HEAD"]);
  return {
    date: new Date().toISOString(),
    cpuCount: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    os: osRelease,
    node: process.version,
    docker: sh("docker", ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"]),
    dockerCgroup: sh("docker", ["info", "--format", "cgroup v{{.CgroupVersion}}, {{.CgroupDriver}} driver"]),
    redis: await redisVersion(redisUrl),
    sqlite,
    gitCommit: commit ? `${commit}${dirty ? " (with uncommitted changes)" : ""}` : null,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
