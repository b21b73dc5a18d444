"use client";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type uPlot from "uplot";
import { compactNumber, lastIndexes, markerRows, zoneName } from "./chart-parts";

export interface SeriesSpec {
  label: string;
  /** CSS colour for the line. */
  color: string;
  width?: number;
  /** Canvas dash pattern, e.g. [6, 4] for projections and limits. */
  dash?: number[];
  /** Draw as steps (limits change in jumps, not slopes). */
  stepped?: boolean;
}

export interface ChartMarker {
  tsMs: number;
  label: string;
  color: string;
}

export interface ChartThreshold {
  value: number;
  label: string;
  color: string;
}

interface Props {
  series: readonly SeriesSpec[];
  /** x in seconds (uPlot's time unit), then one array per series; null = gap. */
  data: uPlot.AlignedData;
  markers?: readonly ChartMarker[];
  /** Horizontal lines (a queue's alert threshold), drawn when inside the y range. */
  thresholds?: readonly ChartThreshold[];
  /** What the y axis counts ("pids", "messages"): written on the axis. */
  yUnit?: string;
  heightPx?: number;
  ariaLabel: string;
  testId?: string;
  /**
   * Called with a drag selection's window (ms): the page makes it its range (in the URL), so a zoom survives a reload
   * and can be shared. Without it the zoom stays inside the chart.
   */
  onZoom?: (fromMs: number, toMs: number) => void;
}

const noSubscribe = () => () => {};

// A reusable uPlot line chart, as Grafana users expect one: drag to zoom (a live update keeps the zoom until
// double-click or "Reset zoom"), Pause freezes the picture while new samples keep arriving, the legend shows each
// series' newest value when the cursor is away, the y axis says its unit, and the caption names the time zone.
// The plot is created once per series layout and then fed with setData, so a day of 5-second points (17,280)
// updates every sample without rebuilding the canvas.
export function TimeSeries({
  series,
  data,
  markers = [],
  thresholds = [],
  yUnit,
  heightPx = 260,
  ariaLabel,
  testId,
  onZoom,
}: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  const overlayRef = useRef({ markers, thresholds });
  const zoomedRef = useRef(false);
  const onZoomRef = useRef(onZoom);
  const pausedRef = useRef(false);
  const [zoomed, setZoomed] = useState(false);
  const [paused, setPaused] = useState(false);
  const layoutKey = JSON.stringify({ series, yUnit });
  // The zone is the browser's: read after hydration (the server's zone may differ).
  const zone = useSyncExternalStore(
    noSubscribe,
    () => zoneName(Intl.DateTimeFormat().resolvedOptions().timeZone, -new Date().getTimezoneOffset()),
    () => null,
  );

  useEffect(() => {
    dataRef.current = data;
    const plot = plotRef.current;
    if (!plot || pausedRef.current) return;
    plot.setData(data, !zoomedRef.current);
    if (plot.cursor.idx == null) showNewest(plot);
  }, [data]);

  useEffect(() => {
    onZoomRef.current = onZoom;
  }, [onZoom]);

  useEffect(() => {
    overlayRef.current = { markers, thresholds };
    plotRef.current?.redraw(false, false);
  }, [markers, thresholds]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const { series: specs, yUnit: unit } = JSON.parse(layoutKey) as { series: SeriesSpec[]; yUnit?: string };
      const text = getComputedStyle(box).color;
      const axis = {
        stroke: text,
        grid: { stroke: "rgba(127,127,127,0.18)", width: 1 },
        ticks: { stroke: "rgba(127,127,127,0.3)", width: 1 },
      };
      const opts: uPlot.Options = {
        width: Math.max(box.clientWidth, 280),
        height: heightPx,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
        axes: [
          axis,
          {
            ...axis,
            size: 48,
            label: unit,
            labelSize: unit ? 16 : 0,
            values: (_u, splits) => splits.map(compactNumber),
          },
        ],
        legend: { live: true },
        cursor: {
          drag: { x: true, y: false },
          bind: {
            // A double-click resets uPlot's zoom; live updates may then move the x range again.
            dblclick: (_u, _t, handler) => (e) => {
              zoomedRef.current = false;
              setZoomed(false);
              return handler(e);
            },
          },
        },
        series: [
          {},
          ...specs.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.5,
            dash: s.dash,
            spanGaps: false,
            paths: s.stepped ? UPlot.paths.stepped?.({ align: 1 }) : undefined,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : v.toLocaleString()),
          })),
        ],
        hooks: {
          draw: [(u: uPlot) => drawOverlay(u, overlayRef.current, text)],
          setCursor: [(u: uPlot) => (u.cursor.idx == null ? showNewest(u) : undefined)],
          setSelect: [
            (u: uPlot) => {
              if (u.select.width <= 0) return;
              const zoomTo = onZoomRef.current;
              if (zoomTo) {
                // The page turns the selection into its range; the fetched window then fills the chart.
                const from = u.posToVal(u.select.left, "x");
                const to = u.posToVal(u.select.left + u.select.width, "x");
                zoomTo(Math.round(from * 1000), Math.round(to * 1000));
                return;
              }
              // A drag selection zooms x (uPlot's default); keep it through live updates.
              zoomedRef.current = true;
              setZoomed(true);
            },
          ],
          ready: [showNewest],
        },
      };
      plotRef.current = new UPlot(opts, dataRef.current, box);
      observer = new ResizeObserver(() =>
        plotRef.current?.setSize({ width: Math.max(box.clientWidth, 280), height: heightPx }),
      );
      observer.observe(box);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plotRef.current?.destroy();
      plotRef.current = null;
    };
  }, [layoutKey, heightPx]);

  const resetZoom = () => {
    zoomedRef.current = false;
    setZoomed(false);
    plotRef.current?.setData(dataRef.current, true);
  };
  const togglePause = () => {
    pausedRef.current = !paused;
    setPaused(!paused);
    if (paused) plotRef.current?.setData(dataRef.current, !zoomedRef.current);
  };

  return (
    <div className="min-w-0">
      <div
        ref={boxRef}
        role="img"
        aria-label={ariaLabel}
        data-testid={testId}
        className="min-h-[120px] w-full min-w-0 text-zinc-700 dark:text-zinc-300"
      />
      <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500">
        <span data-testid={testId ? `${testId}-zone` : undefined}>{zone ? `Times in ${zone}` : "\u00a0"}</span>
        <span className="hidden sm:inline">
          {onZoom ? "Drag to zoom (sets a custom range)." : "Drag to zoom, double-click to reset."}
        </span>
        {zoomed && (
          <button type="button" onClick={resetZoom} className="underline hover:text-zinc-800 dark:hover:text-zinc-200">
            Reset zoom
          </button>
        )}
        <button
          type="button"
          onClick={togglePause}
          aria-pressed={paused}
          data-testid={testId ? `${testId}-pause` : undefined}
          className="rounded border border-zinc-300 px-1.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {paused ? "Resume live" : "Pause"}
        </button>
      </div>
    </div>
  );
}

/** With the cursor away, each legend entry shows its series' newest value (not "—"). */
function showNewest(u: uPlot): void {
  u.setLegend({ idxs: lastIndexes(u.data) }, false);
}

/** Leaves headroom above the highest line so the limit is not drawn on the frame. */
function niceMax(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 10;
  return Math.ceil(max * 1.08);
}

// Thresholds as dashed horizontal lines with their label at the right; event markers (die, oom, restart, raise,
// revert...) as vertical lines with labels stacked in rows so that close events stay readable.
function drawOverlay(
  u: uPlot,
  { markers, thresholds }: { markers: readonly ChartMarker[]; thresholds: readonly ChartThreshold[] },
  textColor: string,
): void {
  if (markers.length === 0 && thresholds.length === 0) return;
  const { ctx, bbox } = u;
  const dpr = typeof devicePixelRatio === "number" ? devicePixelRatio : 1;
  ctx.save();
  ctx.font = `${10 * dpr}px ui-sans-serif, system-ui, sans-serif`;
  ctx.lineWidth = dpr;
  ctx.setLineDash([3 * dpr, 3 * dpr]);
  for (const t of thresholds) {
    const y = Math.round(u.valToPos(t.value, "y", true));
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.strokeStyle = t.color;
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.fillStyle = t.color;
    const w = ctx.measureText(t.label).width;
    ctx.fillText(t.label, bbox.left + bbox.width - w - 4 * dpr, y - 3 * dpr);
  }
  const shown = markers
    .map((m) => ({ m, x: Math.round(u.valToPos(m.tsMs / 1000, "x", true)) }))
    .filter(({ x }) => x >= bbox.left && x <= bbox.left + bbox.width)
    .sort((a, b) => a.x - b.x);
  const rows = markerRows(
    shown.map((s) => s.x),
    shown.map((s) => ctx.measureText(s.m.label).width + 3 * dpr),
    4 * dpr,
    4,
  );
  shown.forEach(({ m, x }, i) => {
    ctx.strokeStyle = m.color;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.fillStyle = textColor;
    ctx.fillText(m.label, x + 3 * dpr, bbox.top + (10 + rows[i]! * 11) * dpr);
  });
  ctx.restore();
}
