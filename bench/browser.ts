// The browser side of the console, measured in Debian's Chromium against the production build: gzipped JS per
// route, first load to usable, the pids chart with a day of 5-second points, and the fleet table with 1,000 rows.
// bench/run.ts calls runBrowserBench; standalone (`npx tsx --conditions=react-server bench/browser.ts`) it starts
// the standalone server on port 3250 with a throwaway data dir and the test Redis.
import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { ContainersResponse, QueuesResponse } from "@/server/schemas/api";
import { ensureFixtureImage, FIXTURE_IMAGE, leakerArgs } from "@/server/testing/harness";
import { measureDayChart } from "./browser-fixtures/chart";
import { launchChromium, signedInState } from "./browser-fixtures/chromium";
import { measureFirstLoad } from "./browser-fixtures/first-load";
import { measureJsPerRoute } from "./browser-fixtures/js-size";
import { renderBrowserMarkdown } from "./browser-fixtures/render";
import { apiLogin, getJson, type ApiSession } from "./browser-fixtures/session";
import { measureBigTable } from "./browser-fixtures/table";
import { BENCH_LABEL, BENCH_RUN_LABEL } from "./lib/labels";
import { benchRunId, emitMarkdownSection } from "./lib/section";

const exec = promisify(execFile);
const LEAKER_PIDS_LIMIT = 512;
const say = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] browser: ${m}\n`);

export interface BrowserBenchOptions {
  baseUrl: string;
  username: string;
  password: string;
  /** The server's LEAKWATCH_DATA_DIR (SQLite store): the chart bench seeds a day of history there. Without it,
   *  the day is spliced into the real API response in the browser instead. */
  dataDir?: string;
}

/** A real leaking container (fixture image, --network none, bench labels) that the console samples. */
async function startChartContainer(session: ApiSession): Promise<{ host: string; id: string; name: string }> {
  await ensureFixtureImage();
  const name = `lw-bench-browser-${process.pid}`;
  const { stdout } = await exec("docker", [
    "run",
    "-d",
    "--network",
    "none",
    "--name",
    name,
    "--label",
    `${BENCH_LABEL}=1`,
    "--label",
    `${BENCH_RUN_LABEL}=${benchRunId()}`,
    "--pids-limit",
    String(LEAKER_PIDS_LIMIT),
    FIXTURE_IMAGE,
    ...leakerArgs({ mode: "leak", rate: 1, max: 150 }),
  ]);
  const id = stdout.trim();
  for (let i = 0; i < 120; i++) {
    const seen = (await getJson<ContainersResponse>(session, "/api/containers")).containers.find((c) => c.id === id);
    if (seen) return { host: seen.host, id, name };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`container ${name} never showed up in /api/containers`);
}

async function runBrowserBench(
  opts: BrowserBenchOptions,
): Promise<{ markdown: string; results: Record<string, unknown> }> {
  const loadAvg1mStart = Math.round(os.loadavg()[0]! * 10) / 10;
  const session = await apiLogin(opts.baseUrl, opts.username, opts.password);
  const browser = await launchChromium();
  let containerId: string | null = null;
  try {
    const state = await signedInState(browser, opts.baseUrl, opts.username, opts.password);
    say("starting a leaking container for the detail page and the chart");
    const target = await startChartContainer(session);
    containerId = target.id;
    const broker = (await getJson<QueuesResponse>(session, "/api/queues")).brokers.find((b) => b.queues.length > 0);
    const detail = `/containers/${encodeURIComponent(target.host)}/${encodeURIComponent(target.id)}`;
    const routes = [
      { route: "/login", url: "/login", readySelector: "button:has-text('Sign in')", signedIn: false },
      { route: "/", url: "/", readySelector: "[data-testid=overview-containers]", signedIn: true },
      { route: "/containers", url: "/containers", readySelector: "[data-testid^=container-row-]", signedIn: true },
      {
        route: "/containers/[host]/[id]",
        url: detail,
        readySelector: "[data-testid=pids-chart] canvas",
        signedIn: true,
      },
      { route: "/queues", url: "/queues", readySelector: "[data-testid^=queue-row-]", signedIn: true },
      ...(broker
        ? [
            {
              route: "/queues/[broker]/[queue]",
              url: `/queues/${encodeURIComponent(broker.name)}/${encodeURIComponent(broker.queues[0]!.name)}`,
              readySelector: "[data-testid=queue-name]",
              signedIn: true,
            },
          ]
        : []),
      { route: "/workers", url: "/workers", readySelector: "[data-testid=worker-count]", signedIn: true },
      {
        route: "/audit",
        url: "/audit",
        readySelector: "[data-testid=audit-count]:not(:has-text('Loading'))",
        signedIn: true,
      },
    ];
    say("gzipped JS per route");
    const jsPerRoute = await measureJsPerRoute(browser, opts.baseUrl, state, routes);
    say("first load to usable (5 cold runs per route)");
    const firstLoad = [
      await measureFirstLoad(browser, opts.baseUrl, state, "/", "[data-testid=overview-containers]"),
      await measureFirstLoad(browser, opts.baseUrl, state, "/containers", "[data-testid^=container-row-]"),
    ];
    say("pids chart with a day of 5-second points");
    const chart = await measureDayChart(
      browser,
      opts.baseUrl,
      state,
      { ...target, limit: LEAKER_PIDS_LIMIT },
      opts.dataDir,
    );
    say("fleet table with 1,000 containers");
    const table = await measureBigTable(browser, opts.baseUrl, state);
    const machineLoad = {
      cpus: os.cpus().length,
      loadAvg1mStart,
      loadAvg1mEnd: Math.round(os.loadavg()[0]! * 10) / 10,
    };
    const results = {
      chromium: browser.version(),
      viewport: "1280x800",
      machineLoad,
      jsPerRoute,
      firstLoad,
      chart,
      table,
    };
    return { markdown: renderBrowserMarkdown(results), results };
  } finally {
    await browser.close();
    if (containerId) await exec("docker", ["rm", "-f", containerId]).catch(() => undefined);
  }
}

async function standalone(): Promise<number> {
  const { startLocalServerOrExplain } = await import("./browser-fixtures/server");
  const server = await startLocalServerOrExplain(1000);
  if (!server) return 1;
  try {
    const { markdown, results } = await runBrowserBench({
      baseUrl: server.baseUrl,
      username: server.username,
      password: server.password,
      dataDir: server.dataDir,
    });
    emitMarkdownSection(markdown, results);
    return 0;
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  standalone().then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`browser bench FAILED: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
