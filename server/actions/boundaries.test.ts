// The one path for state changes, checked on the source tree (no services needed): queue operations, pidbox control
// and Docker mutations live in server/actions, and run.ts is the only module that looks actions up to execute them.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as containerActions from "@/server/actions/container";
import * as queueActions from "@/server/actions/queue";
import * as workerActions from "@/server/actions/worker";
import { REPO_ROOT, sourceFiles } from "@/server/testing/routes";

describe("state changes go through runAction only", () => {
  const MUTATING_DOCKER = /\.\s*(updateContainer|restartContainer|stopContainer|startContainer|killContainer)\s*\(/;
  const RAW_DOCKER_MUTATION =
    /getContainer\([^)]*\)\s*\.\s*(update|restart|stop|start|kill|remove|pause|unpause|exec)\s*\(/;
  const MUTATING_CONTROL =
    /["'`](pool_grow|pool_shrink|autoscale|add_consumer|cancel_consumer|rate_limit|time_limit|revoke|shutdown|pool_restart|enable_events|disable_events)["'`]/;
  const importsOf = (text: string) =>
    [...text.matchAll(/(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
      (m) => m[1] ?? m[2]!,
    );

  it("keeps queue operations, pidbox control and Docker mutations inside server/actions", async () => {
    const files = await sourceFiles(["app", "components", "lib", "server"]);
    expect(files.length).toBeGreaterThan(50);
    const offences: string[] = [];
    for (const f of files) {
      if (f.startsWith("server/testing/")) continue; // test fixtures, never bundled
      const text = await readFile(path.join(REPO_ROOT, f), "utf8");
      const inActions = f.startsWith("server/actions/");
      for (const spec of importsOf(text)) {
        if (/server\/queue-ops\//.test(spec) && !inActions) offences.push(`${f} imports ${spec}`);
        if (/celery\/pidbox$|^\.\/pidbox$/.test(spec) && !inActions && f !== "server/celery/workers.ts")
          offences.push(`${f} imports ${spec}`);
        if (/^dockerode$/.test(spec) && f !== "server/docker/endpoints.ts") offences.push(`${f} imports dockerode`);
      }
      if (MUTATING_DOCKER.test(text) && !inActions) offences.push(`${f} calls a mutating Docker method`);
      if (RAW_DOCKER_MUTATION.test(text) && f !== "server/docker/endpoints.ts")
        offences.push(`${f} mutates a container through dockerode`);
      // The one reader of pidbox outside actions may only ask read-only questions.
      // (`taskinfoitems` names fields of the read-only `registered` reply, e.g. "rate_limit", not commands.)
      if (f === "server/celery/workers.ts" && MUTATING_CONTROL.test(text.replace(/taskinfoitems:\s*\[[^\]]*\]/g, "")))
        offences.push(`${f} sends a mutating control command`);
      if (f.startsWith("app/") && /\b(lpush|rpush|lrem|rpoplpush|lmove|del|hdel|eval|evalsha|flushdb)\s*\(/i.test(text))
        offences.push(`${f} writes to Redis`);
    }
    expect(offences).toEqual([]);
  });

  it("has run.ts as the only module that looks actions up to execute them", async () => {
    // Every export of the action modules that is an action definition (or a list of them).
    const actionExports = new Set<string>();
    for (const m of [containerActions, queueActions, workerActions] as Record<string, unknown>[]) {
      const isDef = (v: unknown) =>
        typeof v === "object" && v !== null && typeof (v as { execute?: unknown }).execute === "function";
      for (const [name, v] of Object.entries(m))
        if (isDef(v) || (Array.isArray(v) && v.some(isDef))) actionExports.add(name);
    }
    expect(actionExports.has("setPidsLimit")).toBe(true);
    expect(actionExports.has("queueActions")).toBe(true);
    const files = await sourceFiles(["app", "components", "lib", "server"]);
    const getActionUsers: string[] = [];
    const executeCallers: string[] = [];
    const defImporters: string[] = [];
    for (const f of files) {
      const text = await readFile(path.join(REPO_ROOT, f), "utf8");
      if (/\bgetAction\b/.test(text) && f !== "server/actions/registry.ts") getActionUsers.push(f);
      if (/\b(def|action|a)\.execute\(/.test(text)) executeCallers.push(f);
      if (f.startsWith("server/actions/")) continue;
      // Helpers (brokerConfig, target schemas) may be shared; the action definitions themselves may not.
      for (const m of text.matchAll(
        /import\s*\{([^}]*)\}\s*from\s+["'](?:@\/server\/actions|\.\.?\/actions)\/(container|queue|worker)["']/g,
      )) {
        const names = m[1]!
          .split(",")
          .map(
            (n) =>
              n
                .trim()
                .replace(/^type\s+/, "")
                .split(/\s+as\s+/)[0]!,
          )
          .filter(Boolean);
        for (const n of names) if (actionExports.has(n)) defImporters.push(`${f}: ${n}`);
      }
    }
    expect(getActionUsers).toEqual(["server/actions/run.ts"]);
    expect(executeCallers).toEqual(["server/actions/run.ts"]);
    expect(defImporters).toEqual([]);
  });
});
