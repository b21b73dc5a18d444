import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "data/**",
    "test-results/**",
    "playwright-report/**",
    ".fixtures-build/**",
    ".demo/**",
    "next-env.d.ts",
    "bench/results/**",
  ]),
]);
