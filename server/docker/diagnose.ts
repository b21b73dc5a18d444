import "server-only";
import type { DockerHostConfig } from "@/server/config";
import { getConfig } from "@/server/config";
import { errorMessage } from "@/server/errors";
import type { CgroupDetail, PidsInfo, ThreadDiagnosis } from "@/server/schemas/containers";
import { readContainerCgroup } from "./cgroup";
import { locateContainerCgroup, readCgroupProcs } from "./cgroup-fs";
import { dockerFor } from "./endpoints";
import { DEFAULT_LOG_TAIL_LINES, scanLogSignatures } from "./log-signatures";
import { readProcfsThreads } from "./procfs";
import { parseTopThreads } from "./ps-parse";
import { canReadCgroupfs, type SamplerConfig } from "./sampler";
import { summarizeThreads, type ThreadSummary } from "./threads";

// On-demand views of one container: its cgroup levels and why the limit is what it is, and a thread diagnosis
// (from /proc when this process can see the host's, else `docker top`) plus a scan of its recent logs.

/** The container's pids and cgroup levels; null when the host's cgroup files are not readable from here. */
export async function getCgroupDetail(
  host: DockerHostConfig,
  id: string,
  cfg: SamplerConfig = getConfig(),
): Promise<{ pids: PidsInfo; detail: CgroupDetail } | null> {
  const inspect = await dockerFor(host).inspectContainer(id); // NotFoundError / SourceUnavailableError propagate
  if (!inspect.running || !(await canReadCgroupfs(host, cfg))) return null;
  const r = await readContainerCgroup(cfg, {
    id: inspect.id,
    hostPid: inspect.pid,
    dockerPidsLimit: inspect.pidsLimit,
  });
  return r.ok ? { pids: r.reading.pids, detail: r.reading.detail } : null;
}

async function fromProcfs(
  host: DockerHostConfig,
  id: string,
  pid: number,
  cfg: SamplerConfig,
): Promise<{ summary: ThreadSummary; errors: string[] } | null> {
  if (!(await canReadCgroupfs(host, cfg))) return null;
  const loc = await locateContainerCgroup(cfg, id, pid);
  const pids = loc ? await readCgroupProcs(loc) : null;
  if (!pids || pids.length === 0) return null;
  const r = await readProcfsThreads(cfg.procRoot, pids);
  if (r.threads.length === 0) return null; // procRoot is not the host's /proc (e.g. a different PID namespace)
  return { summary: summarizeThreads(r.threads, r.commands, r.zombieChildren), errors: r.errors };
}

export async function diagnoseThreads(
  host: DockerHostConfig,
  id: string,
  cfg: SamplerConfig = getConfig(),
): Promise<ThreadDiagnosis> {
  const client = dockerFor(host);
  const inspect = await client.inspectContainer(id);
  const errors: string[] = [];
  let source: ThreadDiagnosis["source"] = "procfs";
  let result = inspect.running
    ? await fromProcfs(host, inspect.id, inspect.pid, cfg).catch((e) => {
        errors.push(`procfs: ${errorMessage(e)}`);
        return null;
      })
    : null;
  if (!result && inspect.running) {
    source = "docker-top";
    const top = parseTopThreads(await client.containerTop(inspect.id));
    result = { summary: summarizeThreads(top.threads, top.commands), errors: top.errors };
  }
  errors.push(...(result?.errors ?? []));
  if (!inspect.running) errors.push("The container is not running: no threads to read.");
  let logSignatures: ThreadDiagnosis["logSignatures"] = [];
  try {
    logSignatures = scanLogSignatures(await client.containerLogs(inspect.id, DEFAULT_LOG_TAIL_LINES));
  } catch (e) {
    errors.push(`logs: ${errorMessage(e)}`);
  }
  const s = result?.summary ?? { processes: [], groups: [], names: [], zombies: 0, totalThreads: 0 };
  return { source, ...s, logSignatures, errors, takenAt: Date.now() };
}
