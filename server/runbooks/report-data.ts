import "server-only";
import { containerHistory } from "@/server/history/containers";
import { queueHistory } from "@/server/history/queues";
import { captureDiagnosis, runContext } from "./context";
import { runView } from "./service";
import { svgLineChart, type SvgMarker } from "./svg-chart";
import type { ReportInput } from "./report";
import type { DiagnosisCapture, RunbookResponse } from "./types";

// Gathers a report's inputs: the run, the diagnosis captured at the Diagnose step (or read now), and charts drawn
// from stored history over the run's span (10 minutes before it started until now).

async function charts(
  view: RunbookResponse,
  capture: DiagnosisCapture | null,
  now: number,
): Promise<{ title: string; svg: string }[]> {
  const from = view.run.createdAt - 10 * 60_000;
  const markers: SvgMarker[] = view.actions.map((a) => ({
    ts: a.at,
    label: a.label ?? a.action.split(".").pop() ?? a.action,
  }));
  const t = view.run.target;
  const out: { title: string; svg: string }[] = [];
  if ("host" in t) {
    const h = (await containerHistory(t.host, t.id, "24h", now)).filter((p) => p.ts >= from);
    out.push({
      title: "pids",
      svg: svgLineChart(
        `pids of ${view.run.targetLabel}`,
        [
          { label: "pids current", color: "#2563eb", points: h.map((p) => [p.ts, p.current]) },
          { label: "effective limit", color: "#dc2626", points: h.map((p) => [p.ts, p.effectiveLimit]), dashed: true },
        ],
        markers,
      ),
    });
    const queues = capture?.context.kind === "thread-leak" ? capture.context.queues : [];
    for (const q of queues.slice(0, 3)) {
      const qh = (await queueHistory(q.broker, q.queue, "24h", now)).filter((p) => p.ts >= from);
      out.push({
        title: `depth ${q.queue}`,
        svg: svgLineChart(
          `depth of ${q.broker}/${q.queue}`,
          [{ label: "depth", color: "#2563eb", points: qh.map((p) => [p.ts, p.depth]) }],
          markers,
        ),
      });
    }
  } else {
    const qh = (await queueHistory(t.broker, t.queue, "24h", now)).filter((p) => p.ts >= from);
    out.push({
      title: "depth",
      svg: svgLineChart(
        `depth of ${view.run.targetLabel}`,
        [
          { label: "depth", color: "#2563eb", points: qh.map((p) => [p.ts, p.depth]) },
          { label: "unacked", color: "#d97706", points: qh.map((p) => [p.ts, p.unacked]) },
        ],
        markers,
      ),
    });
  }
  return out;
}

export async function reportInput(id: string, by: string, now = Date.now()): Promise<ReportInput> {
  const view = await runView(id, now);
  const captured = [...view.entries]
    .reverse()
    .find(
      (e) =>
        e.kind === "step" &&
        e.step === "diagnose" &&
        e.detail.capture &&
        !(e.detail.capture as { error?: string }).error,
    );
  const capture =
    (captured?.detail.capture as DiagnosisCapture | undefined) ??
    (view.run.status === "open"
      ? ((await captureDiagnosis(view.run).catch(() => null)) ??
        (await runContext(view.run)
          .then((context) => ({ context }))
          .catch(() => null)))
      : null);
  return { ...view, capture, charts: await charts(view, capture, now), generatedAt: now, generatedBy: by };
}
