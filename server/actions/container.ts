import "server-only";
import { z } from "zod";
import { dockerFor } from "@/server/docker/endpoints";
import { ownSystemdScope, revertLimit, scopeAfterUpdate } from "@/server/docker/systemd-scope";
import { fmtLimit } from "./format";
import { hostConfig } from "@/server/sources/lookup";
import {
  containerTarget,
  label,
  resolvedAuditTarget,
  readContainerState,
  tighterAncestors,
  type ContainerTarget,
} from "./container-target";
import { snapshot } from "@/server/live";
import type { ContainersResponse } from "@/server/schemas/api";
import { graceParams, setLimitParams, signalParams } from "@/server/schemas/container-actions";
import { createTimebox, pendingTimebox, settleTimebox } from "./timebox";
import type { ActionDef, Preview } from "./types";

/** What setPidsLimit's preview found: the limit it replaces, what a time box reverts to, a time box it supersedes. */
interface SetLimitState {
  oldLimit: number | null;
  revertLimit: number | null;
  fullId: string;
  pendingBox: string | null;
}

export const setPidsLimit: ActionDef<ContainerTarget, z.infer<typeof setLimitParams>, SetLimitState> = {
  name: "container.set-pids-limit",
  title: "Set pids limit",
  role: "operator",
  destructive: false,
  target: containerTarget,
  params: setLimitParams,
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t, p) {
    const { inspect, cgroup } = await readContainerState(t);
    const current = cgroup?.pids.current ?? null;
    const warnings: string[] = [];
    const blockers: string[] = [];
    for (const a of tighterAncestors(cgroup, p.limit))
      warnings.push(
        `The ancestor cgroup ${a.path} caps this container at ${a.max}: a container limit above that changes nothing until the ancestor is raised on the host.`,
      );
    if (p.limit !== null && current !== null && p.limit <= current)
      warnings.push(
        `The new limit ${p.limit} is at or below the ${current} tasks running now: every new thread or process will be refused at once.`,
      );
    if (!inspect.running) warnings.push("The container is not running: the limit applies when it starts.");
    const scope = ownSystemdScope(cgroup);
    if (scope) warnings.push(scopeAfterUpdate(scope, inspect.pidsLimit, p.limit));
    const revertTo = revertLimit(scope, inspect.pidsLimit);
    if (p.revertAfterSeconds) {
      warnings.push(
        `Reverts to ${fmtLimit(revertTo)} after ${p.revertAfterSeconds} s unless confirmed.` +
          (revertTo !== inspect.pidsLimit
            ? ` (Docker's own value is unlimited, but systemd's default ${revertTo} capped the scope: the revert sets ${revertTo} explicitly, since unlimited would leave the scope uncapped.)`
            : ""),
      );
      const forecast = forecastAt(t.host, inspect.id, current, p.revertAfterSeconds);
      if (forecast !== null && revertTo !== null && forecast >= revertTo)
        warnings.push(
          `At the current growth about ${Math.round(forecast)} tasks will run when this reverts, above the old limit ${revertTo}: the revert would refuse forks, so it will be held until you keep the raise or usage falls.`,
        );
    }
    const pending = p.revertAfterSeconds ? null : await pendingTimebox("container.set-pids-limit", label(t));
    if (pending)
      warnings.push(
        `This replaces the time box raised in ${pending.auditId.slice(0, 8)}: its revert due at ${new Date(pending.dueAt).toISOString()} is cancelled.`,
      );
    return {
      summary: `Set ${inspect.name}'s pids limit from ${fmtLimit(inspect.pidsLimit)} to ${fmtLimit(p.limit)}.`,
      targets: [`${t.host}/${inspect.name} (${inspect.id.slice(0, 12)})`],
      changes: [{ what: "PidsLimit", from: inspect.pidsLimit, to: p.limit }],
      warnings,
      blockers,
      revertAfterSeconds: p.revertAfterSeconds ?? null,
      state: {
        oldLimit: inspect.pidsLimit,
        revertLimit: revertTo,
        fullId: inspect.id,
        pendingBox: pending?.id ?? null,
      },
    } satisfies Preview<SetLimitState>;
  },
  async execute(t, p, preview, ctx) {
    // Docker reads -1 as "unlimited" on update (0 would mean "leave unchanged").
    await dockerFor(hostConfig(t.host)).updateContainer(t.id, { PidsLimit: p.limit ?? -1 });
    let timebox: string | null = null;
    // A limit set by hand while a time box is pending replaces it ("Revert now" on the container page is this).
    const replaced = preview.state?.pendingBox;
    if (replaced)
      await settleTimebox(
        replaced,
        "superseded",
        `replaced by ${ctx.actor} (${ctx.auditId}) with ${fmtLimit(p.limit)}`,
      );
    if (p.revertAfterSeconds) {
      timebox = await createTimebox({
        action: "container.set-pids-limit",
        target: t,
        targetLabel: label(t),
        auditId: ctx.auditId,
        actor: ctx.actor,
        revertParams: { limit: preview.state?.revertLimit ?? null },
        dueAt: Date.now() + p.revertAfterSeconds * 1000,
      });
    }
    return {
      result: timebox ? `limit set; reverts in ${p.revertAfterSeconds} s unless confirmed` : "limit set",
      before: preview.state?.oldLimit ?? null,
      after: p.limit,
      details: { timebox },
    };
  },
  async verify(t, p) {
    const { inspect, cgroup } = await readContainerState(t);
    const dockerOk = inspect.pidsLimit === p.limit;
    const cgroupMax = cgroup ? cgroup.pids.limit : undefined;
    const cgroupOk = cgroupMax === undefined || cgroupMax === p.limit;
    const finding =
      `docker inspect PidsLimit=${fmtLimit(inspect.pidsLimit)}` +
      (cgroupMax === undefined ? " (cgroup not readable here)" : `, cgroup pids.max=${fmtLimit(cgroupMax)}`) +
      (cgroup ? `; effective limit now ${fmtLimit(cgroup.pids.effectiveLimit)} from ${cgroup.pids.limitSource}` : "");
    return {
      ok: dockerOk && cgroupOk,
      finding,
      observed: {
        dockerPidsLimit: inspect.pidsLimit,
        cgroupMax: cgroupMax ?? null,
        effectiveLimit: cgroup?.pids.effectiveLimit ?? null,
      },
    };
  },
};

/** pids expected after `seconds` at the growth the sampler forecasts (null: no forecast yet). */
function forecastAt(host: string, fullId: string, current: number | null, seconds: number): number | null {
  const c = snapshot<ContainersResponse>("containers")?.containers.find((x) => x.host === host && x.id === fullId);
  const growth = c?.growthPerMinute ?? null;
  if (current === null || growth === null || growth <= 0) return null;
  return current + (growth * seconds) / 60;
}

const confirmPidsLimit: ActionDef<ContainerTarget, Record<string, never>, { box: string | null }> = {
  name: "container.confirm-pids-limit",
  title: "Keep the time-boxed pids limit",
  role: "operator",
  destructive: false,
  target: containerTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t) {
    const box = await pendingTimebox("container.set-pids-limit", label(t));
    return {
      summary: box
        ? `Keep the raised limit; cancel the revert due at ${new Date(box.dueAt).toISOString()}.`
        : "Nothing to confirm.",
      targets: [label(t)],
      changes: box ? [{ what: "pending revert", from: new Date(box.dueAt).toISOString(), to: "cancelled" }] : [],
      warnings: [],
      blockers: box ? [] : ["No time-boxed pids limit is pending for this container."],
      state: { box: box?.id ?? null },
    };
  },
  async execute(t, _p, preview, ctx) {
    const ok = await settleTimebox(preview.state!.box!, "confirmed", `confirmed by ${ctx.actor} (${ctx.auditId})`);
    return { result: ok ? "revert cancelled; the limit stays" : "the revert had already run" };
  },
  async verify(t) {
    const box = await pendingTimebox("container.set-pids-limit", label(t));
    return { ok: box === null, finding: box ? "a revert is still pending" : "no revert pending" };
  },
};

async function runningState(t: ContainerTarget) {
  const { inspect } = await readContainerState(t);
  return inspect;
}

export const restartContainer: ActionDef<ContainerTarget, z.infer<typeof graceParams>, { startedAt: string | null }> = {
  name: "container.restart",
  title: "Restart container",
  role: "operator",
  destructive: true,
  target: containerTarget,
  params: graceParams,
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t, p) {
    const i = await runningState(t);
    return {
      summary: `Restart ${i.name} (SIGTERM, then SIGKILL after ${p.graceSeconds} s).`,
      targets: [`${t.host}/${i.name}`],
      changes: [{ what: "state", from: i.state, to: "restarted" }],
      warnings: [
        "Threads return to baseline; work in flight is interrupted (Celery redelivers unacked tasks after the visibility timeout or on warm shutdown).",
      ],
      blockers: [],
      state: { startedAt: i.startedAt },
    };
  },
  async execute(t, p, preview) {
    await dockerFor(hostConfig(t.host)).restartContainer(t.id, p.graceSeconds);
    return { result: "restarted", before: { startedAt: preview.state?.startedAt } };
  },
  async verify(t, _p, preview) {
    const i = await runningState(t);
    const ok = i.running && i.startedAt !== preview.state?.startedAt;
    return {
      ok,
      finding: ok ? `running again since ${i.startedAt}` : `state ${i.state}, started ${i.startedAt}`,
      observed: { state: i.state, startedAt: i.startedAt },
    };
  },
};

export const stopContainer: ActionDef<ContainerTarget, z.infer<typeof graceParams>> = {
  name: "container.stop",
  title: "Stop container",
  role: "operator",
  destructive: true,
  target: containerTarget,
  params: graceParams,
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t, p) {
    const i = await runningState(t);
    return {
      summary: `Stop ${i.name} (grace ${p.graceSeconds} s).`,
      targets: [`${t.host}/${i.name}`],
      changes: [{ what: "state", from: i.state, to: "exited" }],
      warnings: ["The service is down until started again."],
      blockers: i.running ? [] : ["The container is not running."],
    };
  },
  async execute(t, p) {
    await dockerFor(hostConfig(t.host)).stopContainer(t.id, p.graceSeconds);
    return { result: "stopped" };
  },
  async verify(t) {
    const i = await runningState(t);
    return { ok: !i.running, finding: `state ${i.state}` };
  },
};

export const startContainer: ActionDef<ContainerTarget, Record<string, never>> = {
  name: "container.start",
  title: "Start container",
  role: "operator",
  destructive: false,
  target: containerTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t) {
    const i = await runningState(t);
    return {
      summary: `Start ${i.name}.`,
      targets: [`${t.host}/${i.name}`],
      changes: [{ what: "state", from: i.state, to: "running" }],
      warnings: [],
      blockers: i.running ? ["The container is running already."] : [],
    };
  },
  async execute(t) {
    await dockerFor(hostConfig(t.host)).startContainer(t.id);
    return { result: "started" };
  },
  async verify(t) {
    const i = await runningState(t);
    return { ok: i.running, finding: `state ${i.state}` };
  },
};

const signalContainer: ActionDef<ContainerTarget, z.infer<typeof signalParams>> = {
  name: "container.signal",
  title: "Send a signal to the main process",
  role: "operator",
  destructive: false,
  target: containerTarget,
  params: signalParams,
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t, p) {
    const i = await runningState(t);
    const effect: Record<string, string> = {
      SIGQUIT: "Go, Java and Python (faulthandler) processes print a thread dump to the logs; some runtimes exit.",
      SIGUSR1: "Celery workers print a traceback of every thread to the log (Celery's cry handler).",
      SIGUSR2: "Application-defined.",
      SIGTERM:
        "Celery workers do a warm shutdown: they finish running tasks, then exit (the container stops unless restarted).",
      SIGHUP: "Often reloads configuration; Celery workers restart themselves.",
    };
    return {
      summary: `Send ${p.signal} to ${i.name}'s main process.`,
      targets: [`${t.host}/${i.name}`],
      changes: [{ what: "signal", from: null, to: p.signal }],
      warnings: [effect[p.signal] ?? ""],
      blockers: i.running ? [] : ["The container is not running."],
    };
  },
  async execute(t, p) {
    await dockerFor(hostConfig(t.host)).killContainer(t.id, p.signal);
    return { result: `${p.signal} delivered` };
  },
  async verify(t, p) {
    const i = await runningState(t);
    return { ok: true, finding: `${p.signal} delivered; the container is ${i.state}` };
  },
};

export const containerActions = [
  setPidsLimit,
  confirmPidsLimit,
  restartContainer,
  stopContainer,
  startContainer,
  signalContainer,
];
