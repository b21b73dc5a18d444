// docker-compose.example.yml as Debian's docker-compose reads it: valid, refusing to start without an admin
// password, and wired the way tests/image.deploy.test.ts runs the image (host pid namespace, read-only /proc and
// cgroup tree, the haproxy allow-list in front of the socket, a console config that parses).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config";
import { REPO_ROOT } from "@/server/testing/harness";

const exec = promisify(execFile);
const FILE = path.join(REPO_ROOT, "docker-compose.example.yml");

interface Service {
  environment: Record<string, string>;
  volumes: string[];
  pid?: string;
  image?: string;
  user?: string;
}

async function composeConfig(env: Record<string, string>): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await exec("docker-compose", ["-f", FILE, "config"], {
    env: { ...process.env, ...env },
    cwd: REPO_ROOT,
  });
  // docker-compose 1.29 prints YAML; its own dependency python3-yaml turns it into JSON.
  const json = await new Promise<string>((resolve, reject) => {
    const p = execFile(
      "/usr/bin/python3",
      ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
      (e, out) => (e ? reject(e) : resolve(out)),
    );
    p.stdin!.end(stdout);
  });
  return JSON.parse(json) as { services: Record<string, Service> };
}

describe("docker-compose.example.yml", () => {
  it("does not start without an admin password", async () => {
    const env = { ...process.env };
    delete env.LEAKWATCH_ADMIN_PASSWORD;
    await expect(exec("docker-compose", ["-f", FILE, "config"], { env, cwd: REPO_ROOT })).rejects.toThrow(
      /set an admin password/,
    );
  });

  it("is valid and runs the console as the image test does, behind the haproxy allow-list", async () => {
    const { services } = await composeConfig({ LEAKWATCH_ADMIN_PASSWORD: "compose-check-password" });
    const lw = services.leakwatch!;
    expect(lw.pid).toBe("host");
    expect(lw.volumes).toEqual(
      expect.arrayContaining(["/proc:/host/proc:ro", "/sys/fs/cgroup:/host/sys/fs/cgroup:ro"]),
    );
    expect(lw.volumes.some((v) => v.endsWith(":/data:rw"))).toBe(true);
    const config = parseConfig({
      ...lw.environment,
      LEAKWATCH_PROC_ROOT: "/host/proc",
      LEAKWATCH_CGROUP_ROOT: "/host/sys/fs/cgroup",
    });
    expect(config.dockerHosts).toEqual([{ name: "local", url: "tcp://docker-proxy:2375", local: true }]);

    const proxy = services["docker-proxy"]!;
    const cfg = proxy.volumes.find((v) => v.endsWith(":/usr/local/etc/haproxy/haproxy.cfg:ro"))!.split(":")[0]!;
    expect(path.relative(REPO_ROOT, cfg)).toBe("deploy/docker-socket-proxy/haproxy.cfg");
    expect(existsSync(cfg)).toBe(true);
    expect(proxy.environment).toEqual({ DOCKER_PROXY_BIND: ":2375", DOCKER_SOCKET: "/var/run/docker.sock" });
    expect(proxy.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock:ro");
    // The proxy listens on the compose network only: no published port.
    expect(Object.keys(proxy)).not.toContain("ports");
  });
});
