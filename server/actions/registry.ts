import "server-only";
import { cgroupActions } from "./cgroup";
import { containerActions } from "./container";
import { messageActions } from "./message";
import { queueActions } from "./queue";
import { taskActions } from "./task";
import { pauseActions } from "./queue-pause";
import { taskEventActions } from "./task-events";
import type { AnyAction } from "./types";
import { workerActions } from "./worker";

// The registry: every action the console can take, and nothing else. run.ts is the only caller of execute().
const ACTIONS: readonly AnyAction[] = [
  ...containerActions,
  ...cgroupActions,
  ...queueActions,
  ...pauseActions,
  ...messageActions,
  ...workerActions,
  ...taskActions,
  ...taskEventActions,
];
const byName = new Map(ACTIONS.map((a) => [a.name, a]));

export function getAction(name: string): AnyAction | undefined {
  return byName.get(name);
}

export function listActions(): { name: string; title: string; role: string; destructive: boolean }[] {
  return ACTIONS.map((a) => ({ name: a.name, title: a.title, role: a.role, destructive: a.destructive }));
}

export interface ListedAction {
  name: string;
  title: string;
  role: string;
  destructive: boolean;
  available: boolean;
  unavailableReason: string | null;
}

/** The list with each action's availability here (an opt-in action that is off says why). */
export async function listActionsAvailable(): Promise<ListedAction[]> {
  return Promise.all(
    ACTIONS.map(async (a) => {
      const av = a.availability ? await a.availability() : { available: true, reason: null };
      return {
        name: a.name,
        title: a.title,
        role: a.role,
        destructive: a.destructive,
        available: av.available,
        unavailableReason: av.reason,
      };
    }),
  );
}
