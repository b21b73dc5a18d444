"use client";
import { useEffect } from "react";
import { ActionDialogHost } from "@/components/actions/action-dialog";
import { Providers } from "@/components/providers";
import { setCsrfToken } from "@/lib/api";
import type { Role } from "@/server/auth/roles";
import { SessionContext } from "./session-context";
import { Sidebar } from "./sidebar";
import { StatusStrip } from "./status-strip";
import { LiveEvents } from "./live-events";

export interface ShellUser {
  username: string;
  role: Role;
  csrfToken: string;
}

export function Shell({ user, readOnly, children }: { user: ShellUser; readOnly: boolean; children: React.ReactNode }) {
  useEffect(() => setCsrfToken(user.csrfToken), [user.csrfToken]);
  setCsrfToken(user.csrfToken);
  return (
    <Providers>
      <SessionContext.Provider value={{ ...user, readOnly }}>
        <LiveEvents />
        <ActionDialogHost>
          <div className="flex min-h-screen flex-col md:flex-row">
            <Sidebar />
            <div className="flex min-w-0 flex-1 flex-col">
              <StatusStrip />
              <main id="main" className="min-w-0 flex-1 p-3 md:p-6">
                {children}
              </main>
            </div>
          </div>
        </ActionDialogHost>
      </SessionContext.Provider>
    </Providers>
  );
}
