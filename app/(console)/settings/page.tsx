import type { Metadata } from "next";
import { requireUser } from "@/server/auth/current";
import { roleAllows } from "@/server/auth/roles";
import { redactBrokerUrl } from "@/server/celery/broker-url";
import { getConfig } from "@/server/config";
import { dbDialect } from "@/server/db";
import { AdminPanels } from "@/components/settings/admin-panels";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  const cfg = getConfig();
  const rows: [string, string][] = [
    ["Docker endpoints", cfg.dockerHosts.map((h) => `${h.name} = ${redactBrokerUrl(h.url)}`).join(", ")],
    [
      "Brokers",
      cfg.brokers
        .map((b) => `${b.name} = ${redactBrokerUrl(b.url)}${b.globalKeyprefix ? ` (prefix ${b.globalKeyprefix})` : ""}`)
        .join(", "),
    ],
    [
      "Result backends",
      cfg.brokers
        .filter((b) => b.resultBackend)
        .map((b) => `${b.name} = ${redactBrokerUrl(b.resultBackend!.url)}`)
        .join(", ") || "none (LEAKWATCH_RESULT_BACKENDS): the Failures page stays empty",
    ],
    ["Sample interval", `${cfg.sampleIntervalMs} ms`],
    ["Console store", dbDialect() === "postgres" ? "PostgreSQL (LEAKWATCH_DATABASE_URL)" : `SQLite in ${cfg.dataDir}`],
    ["cgroup root / proc root", `${cfg.cgroupRoot} / ${cfg.procRoot}`],
    [
      "Thresholds",
      `warn ${cfg.thresholds.warnShare * 100}% or ETA < ${cfg.thresholds.warnEtaSeconds / 3600} h; critical ${cfg.thresholds.criticalShare * 100}% or ETA < ${cfg.thresholds.criticalEtaSeconds / 3600} h; queue depth ${cfg.thresholds.queueDepth}`,
    ],
    ["Actions", cfg.readOnly ? "off (read-only mode: LEAKWATCH_READ_ONLY)" : "on"],
    [
      "cgroup writes (cgroup.set-pids-max)",
      cfg.cgroupWrite
        ? "opted in (LEAKWATCH_CGROUP_WRITE): pids.max of a container's own cgroup ancestry, when the mount is writable"
        : "off (set LEAKWATCH_CGROUP_WRITE=true to lift inherited caps from the console)",
    ],
  ];
  return (
    <div className="max-w-4xl space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <section aria-labelledby="cfg">
        <h2 id="cfg" className="mb-2 font-medium">
          Configuration
        </h2>
        <p className="mb-2 text-sm text-zinc-500">
          Set by environment variables and LEAKWATCH_CONFIG at start-up (see README).
        </p>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm md:grid-cols-[14rem_1fr]">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-zinc-500">{k}</dt>
              <dd className="font-mono text-xs wrap-anywhere md:text-sm">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      {roleAllows(user.role, "admin") ? (
        <AdminPanels />
      ) : (
        <p className="text-sm text-zinc-500">Users and API tokens are managed by admins.</p>
      )}
    </div>
  );
}
