// Property tests for the action API's input validation: the request schema and every registered action's target
// and params schemas answer garbage with a ZodError (never another throw), and the one path into actions
// (previewAction, which shares resolve() with runAction) turns any body into a typed AppError before any source
// is touched: nothing here can reach Docker or Redis, because no generated name matches the configured ones.
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleAllows } from "@/server/auth/roles";
import { parseConfig, setConfigForTests } from "@/server/config";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import { getAction, listActions } from "./registry";
import { actionRequestSchema, previewAction, type Actor } from "./run";

const dataDir = mkdtempSync(path.join(tmpdir(), "lw-fuzz-"));
beforeAll(() => {
  setConfigForTests(
    parseConfig({
      LEAKWATCH_DATA_DIR: dataDir,
      LEAKWATCH_DOCKER_HOSTS: "configured-host=unix:///nonexistent/docker.sock",
      LEAKWATCH_BROKERS: "configured-broker=redis://127.0.0.1:1/0",
    }),
  );
});
afterAll(() => {
  setConfigForTests(undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const operator: Actor = { username: "fuzz", role: "operator", ip: null };
const names = listActions().map((a) => a.name);

// Values that tend to break hand-written checks: line breaks, huge and fractional numbers, prototype keys, deep nesting.
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    "",
    " ",
    "a\r\nb",
    "\u0000",
    "x".repeat(5000),
    "__proto__",
    "constructor",
    "../../etc",
    "all",
    "-1",
    "1e309",
  ),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 1e21),
  fc.constant(Object.create(null) as object),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as object),
);

/** A plausible valid request per action family: the fuzz replaces one field of it. */
function validShape(action: string): { target: Record<string, unknown>; params: Record<string, unknown> } {
  if (action.startsWith("container."))
    return { target: { host: "elsewhere", id: "abc123" }, params: { limit: 100, graceSeconds: 5, signal: "SIGTERM" } };
  if (action.startsWith("cgroup."))
    return { target: { host: "elsewhere", id: "abc123" }, params: { value: 100, timeboxSeconds: 60 } };
  if (action.startsWith("queue."))
    return {
      target: { broker: "elsewhere", queue: "dataset" },
      params: { to: "mail", quarantine: "leakwatch.quarantine.x" },
    };
  return {
    target: { broker: "elsewhere", hostname: "w1@host" },
    params: { n: 1, max: 4, min: 1, queue: "q", task: "t", rate: "10/m", taskId: "abc" },
  };
}

function expectOnlyZod(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ZodError);
  }
}

describe("action input validation (fuzz)", () => {
  it("the request schema and every action's schemas reject garbage with ZodError only", () => {
    fc.assert(
      fc.property(nasty, fc.constantFrom(...names), (value, name) => {
        const def = getAction(name)!;
        for (const schema of [actionRequestSchema, def.target, def.params]) {
          expect(typeof schema.safeParse(value).success).toBe("boolean");
          expectOnlyZod(() => schema.parse(value));
        }
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it("any request body becomes a typed error before a source is touched", async () => {
    const body = fc.oneof(
      nasty.map((v) => ({ raw: v })),
      fc
        .record({
          action: fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 20 })),
          target: nasty,
          params: nasty,
        })
        .map((v) => ({ raw: v })),
      fc
        .tuple(fc.constantFrom(...names), fc.constantFrom("target", "params"), fc.string({ maxLength: 12 }), nasty)
        .map(([action, where, key, v]) => {
          const shape = validShape(action);
          shape[where as "target" | "params"] = { ...shape[where as "target" | "params"], [key]: v };
          return { raw: { action, ...shape } };
        }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom<Actor["role"]>("viewer", "operator", "admin"), async ({ raw }, role) => {
        const req = actionRequestSchema.safeParse(raw);
        if (!req.success) return; // the route answers 400 from the same ZodError
        const outcome = await previewAction(req.data, { ...operator, role }).then(
          () => "previewed",
          (e: unknown) => e,
        );
        // Every generated target names a host or broker that is not configured: NotFoundError at the latest.
        expect(outcome).toBeInstanceOf(AppError);
        expect([ValidationError, NotFoundError, ForbiddenError].some((C) => outcome instanceof C)).toBe(true);
        const def = getAction(req.data.action);
        if (def && roleAllows(role, def.role) && !def.target.safeParse(req.data.target).success)
          expect(outcome).toBeInstanceOf(ValidationError);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
