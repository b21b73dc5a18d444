// Gzipped JavaScript per route of the production build, as the browser really loads it: each route is opened
// signed in, every /_next/ script it fetched is collected from the Resource Timing entries (plus <script src>),
// then fetched once more and gzipped here (zlib level 6, what most reverse proxies use).
// "Initial" means fetched before the load event; "lazy" ones come later (uPlot on the detail page).
import { gzipSync } from "node:zlib";
import type { Browser } from "@playwright/test";
import { VIEWPORT, type StorageState } from "./chromium";

export interface RouteJs {
  route: string;
  url: string;
  scripts: number;
  rawKiB: number;
  gzipKiB: number;
  initialGzipKiB: number;
  lazyGzipKiB: number;
  routeOnlyGzipKiB: number;
}

const COLLECT = `(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const loadEnd = nav ? nav.loadEventEnd : Infinity;
  const out = new Map();
  for (const e of performance.getEntriesByType("resource")) {
    if (/\\/_next\\/.*\\.js(\\?|$)/.test(e.name)) out.set(e.name, e.startTime <= loadEnd);
  }
  for (const s of document.querySelectorAll("script[src]")) if (!out.has(s.src) && /\\/_next\\//.test(s.src)) out.set(s.src, true);
  return [...out.entries()];
})()`;

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function measureJsPerRoute(
  browser: Browser,
  baseUrl: string,
  state: StorageState,
  routes: { route: string; url: string; readySelector: string; signedIn: boolean }[],
): Promise<RouteJs[]> {
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = async (url: string) => {
    let s = sizes.get(url);
    if (!s) {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      s = { raw: body.length, gzip: gzipSync(body, { level: 6 }).length };
      sizes.set(url, s);
    }
    return s;
  };
  const perRoute: { route: string; url: string; scripts: [string, boolean][] }[] = [];
  for (const r of routes) {
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: VIEWPORT,
      storageState: r.signedIn ? state : undefined,
    });
    try {
      const page = await context.newPage();
      await page.goto(r.url, { waitUntil: "load" });
      await page.locator(r.readySelector).first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1500); // lazy chunks (charts, dialogs) that follow the first data
      perRoute.push({ route: r.route, url: r.url, scripts: (await page.evaluate(COLLECT)) as [string, boolean][] });
    } finally {
      await context.close();
    }
  }
  // Chunks every signed-in route loads are the shell (framework, React, query client); the rest is the route's own.
  const signedIn = perRoute.filter((p) => routes.find((r) => r.route === p.route)?.signedIn);
  const shared = new Set(
    signedIn[0]?.scripts.map(([u]) => u).filter((u) => signedIn.every((p) => p.scripts.some(([x]) => x === u))),
  );
  const out: RouteJs[] = [];
  for (const p of perRoute) {
    let raw = 0,
      gzip = 0,
      initial = 0,
      lazy = 0,
      own = 0;
    for (const [url, isInitial] of p.scripts) {
      const s = await sizeOf(url);
      raw += s.raw;
      gzip += s.gzip;
      if (isInitial) initial += s.gzip;
      else lazy += s.gzip;
      if (!shared.has(url)) own += s.gzip;
    }
    out.push({
      route: p.route,
      url: p.url,
      scripts: p.scripts.length,
      rawKiB: kib(raw),
      gzipKiB: kib(gzip),
      initialGzipKiB: kib(initial),
      lazyGzipKiB: kib(lazy),
      routeOnlyGzipKiB: kib(own),
    });
  }
  return out;
}
