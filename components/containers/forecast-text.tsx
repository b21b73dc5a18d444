import { fmtDuration, fmtInt } from "@/lib/format";
import type { ContainerSummary } from "@/server/schemas/containers";
import { atLimit } from "./fleet";

/** True when the container sits at its effective limit: an ETA or a growth rate means nothing there. */
// What the forecast knows, said one way everywhere (overview, fleet table, container page): at the limit it says so
// with the refused count, before enough history it says "learning", otherwise the ETA.
export function ForecastText({ container: c }: { container: ContainerSummary }) {
  if (atLimit(c)) {
    return (
      <span className="font-semibold text-red-700 dark:text-red-300" data-testid="forecast-at-limit">
        at the limit: refusing forks{c.pids.refusedTotal ? ` (${fmtInt(c.pids.refusedTotal)} refused)` : ""}
      </span>
    );
  }
  if (c.learningSeconds !== null) {
    return (
      <span
        className="text-zinc-500"
        data-testid="forecast-learning"
        title="The forecast needs a minute of samples before it predicts anything."
      >
        learning (needs {c.learningSeconds} s)
      </span>
    );
  }
  return <>{fmtDuration(c.etaSeconds)}</>;
}
