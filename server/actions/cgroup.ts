import "server-only";
import path from "node:path";
import { z } from "zod";
import { getConfig } from "@/server/config";
import { effectiveLimit, readKernelLimits } from "@/server/docker/cgroup";
import {
  cgroupWriteAvailability,
  containerIdsUnder,
  levelIndexOf,
  pidsMaxFileAt,
  readPidsMaxText,
  writePidsMax,
  type PidsMaxFile,
  type PidsMaxValue,
} from "@/server/docker/cgroup-write";
import { parseMaxValue, type CgroupMode } from "@/server/docker/cgroup-fs";
import { canReadCgroupfs } from "@/server/docker/sampler";
import { dockerFor } from "@/server/docker/endpoints";
import { hostConfig } from "@/server/sources/lookup";
import type { CgroupLevel } from "@/server/schemas/containers";
import { MAX_PIDS, timeboxSecondsSchema } from "@/server/schemas/container-actions";
import {
  containerTarget,
  label,
  readContainerState,
  resolvedAuditTarget,
  type ContainerState,
  type ContainerTarget,
} from "./container-target";
import { fmtLimit } from "./format";
import { createTimebox, pendingTimebox, settleTimebox } from "./timebox";
import type { ActionDef, Preview } from "./types";

// Lifts (or sets) the cap a container inherits from a cgroup level Docker does not manage: a systemd scope's
// default TasksMax on its own cgroup, or a parent cgroup (--cgroup-parent, a slice). The Dify incident's STEP 2,
// `echo max > .../docker-<id>.scope/pids.max`, as one audited, time-boxed click. The level is resolved here from
// the container; the request names only the container and, for a revert, the level's index in its ancestry.

const CGROUP_ACTION = "cgroup.set-pids-max";

// The action dialog's text field sends "500": digits become the number; anything else must be "max".
const digitsToNumber = (v: unknown) => (typeof v === "string" && /^\d{1,10}$/.test(v) ? Number(v) : v);

const setPidsMaxParams = z
  .object({
    value: z.preprocess(
      digitsToNumber,
      z.union(
        [
          z.literal("max"),
          z
            .number()
            .int("must be a whole number")
            .min(1, 'must be at least 1 ("max" means unlimited)')
            .max(MAX_PIDS, `must be at most ${MAX_PIDS}, the kernel's pid_max ceiling`),
        ],
        { error: 'must be a whole number from 1 or "max"' },
      ),
    ),
    /** Revert to the old value after this many seconds unless confirmed. */
    timeboxSeconds: timeboxSecondsSchema.optional(),
    /** The level in the container's ancestry (0 = its own cgroup, 1 = its parent, ...); default: the one that caps it now. */
    level: z.number().int().min(0).max(64).optional(),
  })
  .strict();
type SetPidsMaxParams = z.infer<typeof setPidsMaxParams>;

const show = (v: number | null | undefined) => (v === undefined ? "?" : v === null ? "max" : String(v));

/** Which level to write, or why none. */
function chooseLevel(s: ContainerState, p: SetPidsMaxParams): { level: number } | { blocker: string } {
  const cg = s.cgroup!;
  if (p.level !== undefined) {
    if (p.level === 0 && s.inspect.pidsLimit !== null)
      return {
        blocker: `Docker's own PidsLimit (${s.inspect.pidsLimit}) sets this container's own pids.max: change it with "Set pids limit" (container.set-pids-limit), or Docker will disagree with the file.`,
      };
    return { level: p.level };
  }
  const src = cg.pids.limitSource;
  if (src === "container")
    return {
      blocker: `Docker's own PidsLimit (${fmtLimit(s.inspect.pidsLimit)}) is what caps this container: use "Set pids limit" (container.set-pids-limit) instead.`,
    };
  if (src === "none" || src === "kernel" || cg.pids.limitPath === null)
    return {
      blocker:
        src === "kernel"
          ? "The kernel's host-wide limit (kernel.threads-max / pid_max) is the tightest: no cgroup level to raise; see the host commands."
          : "No cgroup level caps this container: nothing to raise.",
    };
  const i = levelIndexOf(cg.location, cg.pids.limitPath);
  return i === null ? { blocker: `${cg.pids.limitPath} is not in ${cg.location.path}'s ancestry.` } : { level: i };
}

/** The levels as they would read after writing `value` at `levelPath`. */
function withValue(levels: CgroupLevel[], levelPath: string, value: PidsMaxValue): CgroupLevel[] {
  return levels.map((l) => {
    if (l.path !== levelPath) return l;
    const max = value === "max" ? null : value;
    return { ...l, max, headroom: max === null ? null : max - (l.current ?? 0) };
  });
}

async function sharers(t: ContainerTarget, s: ContainerState, f: PidsMaxFile): Promise<string[]> {
  if (f.level === 0) return [];
  const ids = new Set(await containerIdsUnder(s.cgroup!.location.hierarchyDir, f.levelPath));
  ids.delete(s.inspect.id);
  if (ids.size === 0) return [];
  const list = await dockerFor(hostConfig(t.host))
    .listContainers()
    .catch(() => []);
  return [...ids].map((id) => list.find((c) => c.id === id)?.name ?? id.slice(0, 12)).sort();
}

/** What setPidsMax's preview found, for execute and verify: the level it will write and the value it replaces. */
interface SetPidsMaxState {
  level: number;
  levelPath: string;
  file: string;
  /** The file's text before (null: it could not be read). */
  old: string | null;
  fullId: string;
  mode: CgroupMode;
}

const setPidsMax: ActionDef<ContainerTarget, SetPidsMaxParams, SetPidsMaxState> = {
  name: CGROUP_ACTION,
  title: "Set pids.max of the cgroup that caps the container",
  role: "operator",
  destructive: false,
  // Strict: a path or file in the request is refused, not ignored.
  target: containerTarget.strict(),
  params: setPidsMaxParams,
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  availability: () => cgroupWriteAvailability(getConfig()),
  async preview(t, p) {
    const cfg = getConfig();
    const blockers: string[] = [];
    const warnings: string[] = [];
    const avail = await cgroupWriteAvailability(cfg);
    if (!avail.available) blockers.push(avail.reason!);
    if (!(await canReadCgroupfs(hostConfig(t.host), cfg)))
      blockers.push(
        `The console cannot see ${t.host}'s cgroup tree (only a local unix:// engine's): run the console on that host to write there.`,
      );
    const s = await readContainerState(t);
    const name = s.inspect.name;
    const base = {
      targets: [`${t.host}/${name} (${s.inspect.id.slice(0, 12)})`],
      revertAfterSeconds: p.timeboxSeconds ?? null,
    };
    if (!s.cgroup) {
      blockers.push(
        s.inspect.running
          ? "The container's cgroup could not be read."
          : "The container is not running: its cgroup exists only while it runs.",
      );
      return { ...base, summary: `Set pids.max for ${name}: no cgroup to write.`, changes: [], warnings, blockers };
    }
    const cg = s.cgroup;
    const chosen = chooseLevel(s, p);
    if ("blocker" in chosen)
      return {
        ...base,
        summary: `Set pids.max for ${name}: refused.`,
        changes: [],
        warnings,
        blockers: [...blockers, chosen.blocker],
      };
    let f: PidsMaxFile;
    try {
      f = await pidsMaxFileAt(cg.location, chosen.level);
    } catch (e) {
      return {
        ...base,
        summary: `Set pids.max for ${name}: refused.`,
        changes: [],
        warnings,
        blockers: [...blockers, `Refused: ${(e as Error).message}.`],
      };
    }
    const oldText = await readPidsMaxText(f);
    const old = parseMaxValue(oldText);
    if (old === undefined) blockers.push(`${f.file} could not be read.`);
    const level = cg.detail.levels.find((l) => l.path === f.levelPath);

    // Every level as it is now, then what the container meets after the change.
    for (const l of cg.detail.levels)
      warnings.push(
        `Level ${l.path}${l.path === f.levelPath ? " (this change)" : ""}: ${l.current ?? "?"} tasks, pids.max ${show(l.max)}.`,
      );
    const kernel = await readKernelLimits(cfg.procRoot);
    const after = effectiveLimit(withValue(cg.detail.levels, f.levelPath, p.value), kernel, s.inspect.pidsLimit);
    warnings.push(
      `New effective limit: ${fmtLimit(after.effectiveLimit)} from ${after.limitSource}${after.limitPath ? ` at ${after.limitPath}` : ""}, headroom ${after.headroom ?? "unknown"} (now ${fmtLimit(cg.pids.effectiveLimit)} from ${cg.pids.limitSource}, headroom ${cg.headroom ?? "unknown"}).`,
    );
    if (p.value !== "max" && level?.current !== null && level?.current !== undefined && p.value <= level.current)
      warnings.push(
        `The new value ${p.value} is at or below the ${level.current} tasks at ${f.levelPath} now: every new thread or process under it will be refused at once.`,
      );
    const others = await sharers(t, s, f);
    if (others.length > 0)
      warnings.push(`Also affects every other container under ${f.levelPath}: ${others.join(", ")}.`);
    warnings.push(
      f.level === 0
        ? `Not persistent: when the container is restarted or recreated, Docker${cg.detail.systemdUnit ? " and systemd create a new scope" : " creates a new cgroup"} with the default again. The persistent fix is still needed (see the host commands).`
        : `Not persistent: whatever created ${f.levelPath} (a --cgroup-parent, a systemd slice, an agent) may write it again, and a container restart does not bring this value with it if its cgroup is recreated elsewhere. The persistent fix is still needed (see the host commands).`,
    );
    if (/\.(scope|slice)$/.test(path.posix.basename(f.levelPath)))
      warnings.push(
        `${path.posix.basename(f.levelPath)} is a systemd unit: systemd may write its own TasksMax back on a daemon-reload or set-property.`,
      );
    if (p.timeboxSeconds) warnings.push(`Reverts to ${show(old)} after ${p.timeboxSeconds} s unless kept.`);
    return {
      ...base,
      summary: `Set pids.max of ${f.levelPath} (${f.level === 0 ? `${name}'s own cgroup` : `ancestor ${f.level} of ${name}`}) from ${show(old)} to ${p.value}.`,
      changes: [
        { what: `pids.max at ${f.levelPath}`, from: show(old), to: String(p.value) },
        { what: "effective limit", from: cg.pids.effectiveLimit, to: after.effectiveLimit },
      ],
      warnings,
      blockers,
      state: {
        level: f.level,
        levelPath: f.levelPath,
        file: f.file,
        old: oldText,
        fullId: s.inspect.id,
        mode: cg.location.mode,
      },
    } satisfies Preview<SetPidsMaxState>;
  },
  async execute(t, p, preview, ctx) {
    const st = preview.state!;
    // Resolved again at write time from the container, so a container that moved since the preview is caught.
    const s = await readContainerState(t);
    if (!s.cgroup) throw new Error("the container's cgroup is gone (stopped?)");
    const f = await pidsMaxFileAt(s.cgroup.location, st.level);
    if (f.levelPath !== st.levelPath)
      throw new Error(`level ${st.level} is now ${f.levelPath}, not ${st.levelPath} as previewed; preview again`);
    const before = await readPidsMaxText(f);
    const now = await writePidsMax(f, p.value);
    let timebox: string | null = null;
    if (p.timeboxSeconds && before !== null) {
      const old = parseMaxValue(before);
      timebox = await createTimebox({
        action: CGROUP_ACTION,
        target: t,
        targetLabel: label(t),
        auditId: ctx.auditId,
        actor: ctx.actor,
        revertParams: { value: old === null || old === undefined ? "max" : old, level: f.level },
        dueAt: Date.now() + p.timeboxSeconds * 1000,
      });
    }
    return {
      result: `pids.max at ${f.levelPath} set to ${now}${timebox ? `; reverts to ${before} in ${p.timeboxSeconds} s unless kept` : ""}`,
      before: { file: f.file, levelPath: f.levelPath, mode: st.mode, pidsMax: before },
      after: { file: f.file, levelPath: f.levelPath, mode: st.mode, pidsMax: now },
      details: { timebox },
    };
  },
  async verify(t, p, preview) {
    const st = preview.state!;
    const s = await readContainerState(t);
    if (!s.cgroup) return { ok: false, finding: "the container's cgroup is gone" };
    const f = await pidsMaxFileAt(s.cgroup.location, st.level);
    const text = await readPidsMaxText(f);
    const ok = text === String(p.value);
    const pids = s.cgroup.pids;
    return {
      ok,
      finding: `${f.levelPath}/pids.max reads ${text ?? "nothing"}; effective limit now ${fmtLimit(pids.effectiveLimit)} from ${pids.limitSource}${pids.limitPath ? ` at ${pids.limitPath}` : ""}, headroom ${s.cgroup.headroom ?? "unknown"}`,
      observed: {
        pidsMax: text,
        effectiveLimit: pids.effectiveLimit,
        limitSource: pids.limitSource,
        limitPath: pids.limitPath,
        headroom: s.cgroup.headroom,
      },
    };
  },
};

const confirmPidsMax: ActionDef<ContainerTarget, Record<string, never>, { box: string | null }> = {
  name: "cgroup.confirm-pids-max",
  title: "Keep the time-boxed pids.max",
  role: "operator",
  destructive: false,
  target: containerTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  auditTarget: resolvedAuditTarget,
  async preview(t) {
    const box = await pendingTimebox(CGROUP_ACTION, label(t));
    return {
      summary: box
        ? `Keep the raised pids.max; cancel the revert due at ${new Date(box.dueAt).toISOString()}.`
        : "Nothing to confirm.",
      targets: [label(t)],
      changes: box ? [{ what: "pending revert", from: new Date(box.dueAt).toISOString(), to: "cancelled" }] : [],
      warnings: box ? ["The value still does not survive a container restart: apply the persistent fix too."] : [],
      blockers: box ? [] : ["No time-boxed pids.max is pending for this container."],
      state: { box: box?.id ?? null },
    };
  },
  async execute(_t, _p, preview, ctx) {
    const ok = await settleTimebox(preview.state!.box!, "confirmed", `confirmed by ${ctx.actor} (${ctx.auditId})`);
    return { result: ok ? "revert cancelled; the value stays" : "the revert had already run" };
  },
  async verify(t) {
    const box = await pendingTimebox(CGROUP_ACTION, label(t));
    return { ok: box === null, finding: box ? "a revert is still pending" : "no revert pending" };
  },
};

export const cgroupActions = [setPidsMax, confirmPidsMax];
