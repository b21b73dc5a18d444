import { MiddleTruncate } from "@/components/ui/middle-truncate";
import { fmtInt } from "@/lib/format";
import type { CgroupLevel } from "@/server/schemas/containers";

// Every level of the cgroup chain, container first. Each level's path sits on its own line above its numbers, so a
// long path never pushes pids.max / current / headroom out of a narrow card (a third of the container page, a
// phone, a runbook column); the path is cut in the middle with the full value on hover and a copy button.
export function CgroupChain({
  levels,
  bindingPath,
  testId,
}: {
  levels: readonly CgroupLevel[];
  /** The level whose pids.max is the effective limit. */
  bindingPath: string | null | undefined;
  testId?: string;
}) {
  return (
    <table className="w-full table-fixed text-sm" data-testid={testId}>
      <thead className="text-xs text-zinc-500">
        <tr>
          <th scope="col" className="py-1 text-right font-medium">
            pids.max
          </th>
          <th scope="col" className="text-right font-medium">
            current
          </th>
          <th scope="col" className="text-right font-medium">
            headroom
          </th>
        </tr>
      </thead>
      {levels.map((l) => {
        const binding = l.path === bindingPath;
        return (
          <tbody
            key={l.path}
            data-testid="cgroup-level"
            data-binding={binding || undefined}
            className={`border-t border-zinc-200 dark:border-zinc-800 ${binding ? "font-semibold" : ""}`}
          >
            <tr>
              <th scope="rowgroup" colSpan={3} className="pt-1 text-left font-normal">
                <span className="flex min-w-0 items-center gap-2">
                  <MiddleTruncate value={l.path} className="max-w-full min-w-0" testId="cgroup-path" />
                  {binding && (
                    <span className="shrink-0 text-xs font-semibold text-amber-700 dark:text-amber-300">binding</span>
                  )}
                </span>
              </th>
            </tr>
            <tr className="tabular-nums">
              <td className="pb-1 text-right" data-testid="cgroup-max">
                {l.max === null ? "max" : fmtInt(l.max)}
              </td>
              <td className="pb-1 text-right" data-testid="cgroup-current">
                {fmtInt(l.current)}
              </td>
              <td className="pb-1 text-right" data-testid="cgroup-headroom">
                {l.headroom === null ? "∞" : fmtInt(l.headroom)}
              </td>
            </tr>
          </tbody>
        );
      })}
    </table>
  );
}
