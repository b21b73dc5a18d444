"use client";
import { useEffect, useRef } from "react";
import type uPlot from "uplot";

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

interface Props {
  series: readonly SeriesSpec[];
  /** x in seconds (uPlot's time unit), then one array per series; null = gap. */
  data: uPlot.AlignedData;
  markers?: readonly ChartMarker[];
  heightPx?: number;
  ariaLabel: string;
  testId?: string;
}

// A reusable uPlot line chart. The plot is created once per series layout and then fed with
// setData, so a day of 5-second points (17,280) updates every sample without rebuilding the canvas.
export function TimeSeries({ series, data, markers = [], heightPx = 260, ariaLabel, testId }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  const markersRef = useRef(markers);
  const layoutKey = JSON.stringify(series);

  useEffect(() => {
    dataRef.current = data;
    plotRef.current?.setData(data);
  }, [data]);

  useEffect(() => {
    markersRef.current = markers;
    plotRef.current?.redraw(false, false);
  }, [markers]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const specs = JSON.parse(layoutKey) as SeriesSpec[];
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
        axes: [axis, { ...axis, size: 56 }],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
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
          })),
        ],
        hooks: { draw: [(u: uPlot) => drawMarkers(u, markersRef.current, text)] },
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

  return (
    <div
      ref={boxRef}
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
      className="min-h-[120px] w-full min-w-0 text-zinc-700 dark:text-zinc-300"
    />
  );
}

/** Leaves headroom above the highest line so the limit is not drawn on the frame. */
function niceMax(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 10;
  return Math.ceil(max * 1.08);
}

// Vertical lines for container events (die, oom, restart...) with a short label at the top.
function drawMarkers(u: uPlot, markers: readonly ChartMarker[], textColor: string): void {
  if (markers.length === 0) return;
  const { ctx, bbox } = u;
  const dpr = typeof devicePixelRatio === "number" ? devicePixelRatio : 1;
  ctx.save();
  ctx.font = `${10 * dpr}px ui-sans-serif, system-ui, sans-serif`;
  ctx.lineWidth = dpr;
  ctx.setLineDash([3 * dpr, 3 * dpr]);
  for (const m of markers) {
    const x = Math.round(u.valToPos(m.tsMs / 1000, "x", true));
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle = m.color;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.fillStyle = textColor;
    ctx.fillText(m.label, x + 3 * dpr, bbox.top + 10 * dpr);
  }
  ctx.restore();
}
