import { defineConfig } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (no downloaded browsers) against the production build.
const port = Number(process.env.LEAKWATCH_E2E_PORT ?? 3200);
export const E2E_ADMIN_PASSWORD = "e2e-admin-password-1";

export default defineConfig({
  testDir: "e2e",
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.LEAKWATCH_E2E_OUTPUT ?? "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    colorScheme: "dark",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "bash e2e/serve.sh",
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore", // pino JSON logs; failures show through the tests and stderr
    stderr: "pipe",
    env: {
      PORT: String(port),
      LEAKWATCH_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      LEAKWATCH_SAMPLE_INTERVAL_MS: "1000",
      LEAKWATCH_BROKERS: `default=${process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391"}/1`,
      // Celery's result backend of e2e/failures.spec.ts's worker.
      LEAKWATCH_RESULT_BACKENDS: `default=${process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391"}/3`,
      // Alert webhooks go to a receiver the runbook test starts on port + 1000 (loopback only).
      // The server runs as root on the test hosts: cgroup.set-pids-max may write (e2e/cgroup-lift.spec.ts).
      LEAKWATCH_CGROUP_WRITE: "true",
      LEAKWATCH_WEBHOOKS: `json=http://127.0.0.1:${port + 1000}/hook/json,slack=http://127.0.0.1:${port + 1000}/hook/slack`,
    },
  },
});
