import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const alias = {
  "@/": root,
  "server-only": `${root}server/testing/server-only-stub.ts`,
};

// Unit tests: *.test.ts (pure, fixtures only). Integration: *.int.test.ts (live Docker, Redis, Celery, PostgreSQL).
// Deploy: *.deploy.test.ts (the built console image).
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["server/**/*.test.ts", "components/**/*.test.ts", "lib/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
          // Fuzz properties run hundreds of cases: on a shared, loaded machine 5 s is a timing threshold, not a bound.
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["server/**/*.int.test.ts", "tests/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration files share one Docker Engine and one Redis: run them one at a time.
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        resolve: { alias },
        test: {
          // The cgroup v2 + systemd incident in a QEMU VM (scripts/vm.sh) driving the production build inside it:
          // runs after `next build`. The first build of the VM image (debootstrap) takes minutes; later boots reuse it.
          name: "vm",
          include: ["tests/**/*.vm.test.ts"],
          environment: "node",
          testTimeout: 600_000,
          hookTimeout: 3_600_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        resolve: { alias },
        test: {
          // The console's built image (scripts/build-image.sh) run as users run it: after the production build.
          name: "deploy",
          include: ["tests/**/*.deploy.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 300_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
