import "server-only";
import { containerActions } from "./container";
import { queueActions } from "./queue";
import type { AnyAction } from "./types";
import { workerActions } from "./worker";

// The registry: every action the console can take, and nothing else. run.ts is the only caller of execute().
const ACTIONS: readonly AnyAction[] = [...containerActions, ...queueActions, ...workerActions];
const byName = new Map(ACTIONS.map((a) => [a.name, a]));

export function getAction(name: string): AnyAction | undefined {
  return byName.get(name);
}

export function listActions(): { name: string; title: string; role: string; destructive: boolean }[] {
  return ACTIONS.map((a) => ({ name: a.name, title: a.title, role: a.role, destructive: a.destructive }));
}
