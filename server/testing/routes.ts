// test-only: every route module under app/, found on disk (not from a hand-kept list), with its URL and methods.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Repo-relative paths of every app/**\/route.ts (and .tsx/.js, so a route in another form isn't missed). */
export async function discoverRouteFiles(): Promise<string[]> {
  const files = await walk(path.join(REPO_ROOT, "app"));
  return files
    .filter((f) => /(^|\/)route\.(ts|tsx|js|mjs)$/.test(f))
    .map((f) => path.relative(REPO_ROOT, f))
    .sort();
}

/** app/api/tokens/[id]/route.ts -> /api/tokens/[id]; route groups "(x)" vanish from the URL. */
export function urlPattern(file: string): string {
  const segs = path
    .dirname(file)
    .split("/")
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s));
  return `/${segs.join("/")}`;
}

/** Repo-relative paths of every source file under the given top-level dirs (tests excluded). */
export async function sourceFiles(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    const files = await walk(path.join(REPO_ROOT, d)).catch(() => [] as string[]);
    out.push(
      ...files
        .filter((f) => /\.(ts|tsx|js|mjs)$/.test(f) && !/\.test\.ts$/.test(f))
        .map((f) => path.relative(REPO_ROOT, f)),
    );
  }
  return out.sort();
}
