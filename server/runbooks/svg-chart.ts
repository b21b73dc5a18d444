import "server-only";

// Pure: a small line chart as standalone SVG, for the incident report (Markdown embeds it as a data URI, the print
// page inlines it). Drawn on the server from stored history, so a report needs no browser canvas.

export interface SvgSeries {
  label: string;
  color: string;
  points: [number, number | null][];
  dashed?: boolean;
}
export interface SvgMarker {
  ts: number;
  label: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hhmmss = (ts: number) => new Date(ts).toISOString().slice(11, 19);

export function svgLineChart(
  title: string,
  series: SvgSeries[],
  markers: SvgMarker[] = [],
  widthPx = 720,
  heightPx = 240,
): string {
  const pad = { l: 48, r: 12, t: 28, b: 36 };
  const all = series.flatMap((s) => s.points);
  const xs = [...all.map((p) => p[0]), ...markers.map((m) => m.ts)];
  const ys = all.map((p) => p[1]).filter((v): v is number => v !== null);
  const x0 = xs.length ? Math.min(...xs) : 0,
    x1 = xs.length ? Math.max(...xs) : 1;
  const y1 = Math.max(1, ...ys) * 1.1;
  const w = widthPx - pad.l - pad.r,
    h = heightPx - pad.t - pad.b;
  const sx = (ts: number) => pad.l + (x1 === x0 ? 0 : ((ts - x0) / (x1 - x0)) * w);
  const sy = (v: number) => pad.t + h - (v / y1) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${pad.l}" y="16" font-size="13" fill="#111">${esc(title)}</text>`,
    `<line x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}" stroke="#999"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + h}" stroke="#999"/>`,
  ];
  for (const f of [0, 0.5, 1]) {
    const v = Math.round(y1 * f);
    parts.push(`<text x="${pad.l - 6}" y="${sy(v) + 4}" text-anchor="end" fill="#555">${v}</text>`);
  }
  if (xs.length)
    parts.push(
      `<text x="${pad.l}" y="${heightPx - 8}" fill="#555">${hhmmss(x0)} UTC</text>`,
      `<text x="${pad.l + w}" y="${heightPx - 8}" text-anchor="end" fill="#555">${hhmmss(x1)} UTC</text>`,
    );
  for (const m of markers) {
    const x = sx(m.ts);
    parts.push(
      `<line x1="${x}" y1="${pad.t}" x2="${x}" y2="${pad.t + h}" stroke="#7c3aed" stroke-dasharray="3 3"/>`,
      `<text x="${x + 3}" y="${pad.t + 10}" fill="#7c3aed">${esc(m.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    // A null breaks the line (a gap in sampling), as the live charts do.
    const runs: string[] = [];
    let cur: string[] = [];
    for (const [ts, v] of s.points) {
      if (v === null) {
        if (cur.length) runs.push(cur.join(" "));
        cur = [];
        continue;
      }
      cur.push(`${sx(ts).toFixed(1)},${sy(v).toFixed(1)}`);
    }
    if (cur.length) runs.push(cur.join(" "));
    for (const r of runs)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${r}"/>`,
      );
    parts.push(`<text x="${pad.l + w - 140 * (series.length - i)}" y="16" fill="${s.color}">— ${esc(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

export const svgDataUri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
