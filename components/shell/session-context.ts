"use client";
import { createContext, useContext } from "react";
import { roleAllows, type Role } from "@/server/schemas/roles";

export interface SessionValue {
  username: string;
  role: Role;
  csrfToken: string;
  readOnly: boolean;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside the console shell");
  return s;
}

/** Whether the signed-in user may run actions (operator or admin, and the console not read-only). */
export function useCanAct(): boolean {
  const s = useSession();
  return !s.readOnly && roleAllows(s.role, "operator");
}
