"use client";
import { memo, useMemo } from "react";
import type { QueueStatus } from "@/server/schemas/queues";
import { sameTrail, sparkPoints } from "./spark-path";

interface Props {
  trail: readonly (readonly [number, number])[] | undefined;
  width?: number;
  height?: number;
  label: string;
  tone?: QueueStatus;
}

const STROKE = {
  ok: "stroke-ok",
  warn: "stroke-warn",
  critical: "stroke-crit",
  unknown: "stroke-zinc-400",
  idle: "stroke-zinc-400",
} as const;
const FILL = {
  ok: "fill-ok",
  warn: "fill-warn",
  critical: "fill-crit",
  unknown: "fill-zinc-400",
  idle: "fill-zinc-400",
} as const;

// One inline SVG polyline per row: no chart library per cell, and memo skips the redraw when the
// trail has not moved (SSE frames replace every object, so compare by content, not identity).
function SparklineImpl({ trail, width = 96, height = 22, label, tone = "unknown" }: Props) {
  const geo = useMemo(() => (trail ? sparkPoints(trail, width, height, 2) : null), [trail, width, height]);
  if (!geo) return <span className="text-xs text-zinc-500">no trend</span>;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      className="block overflow-visible"
    >
      <polyline points={geo.points} fill="none" strokeWidth={1.5} strokeLinejoin="round" className={STROKE[tone]} />
      <circle cx={geo.lastX} cy={geo.lastY} r={1.8} className={FILL[tone]} />
    </svg>
  );
}

export const Sparkline = memo(
  SparklineImpl,
  (a, b) =>
    sameTrail(a.trail, b.trail) &&
    a.width === b.width &&
    a.height === b.height &&
    a.tone === b.tone &&
    a.label === b.label,
);
