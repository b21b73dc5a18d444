"use client";
import { useEffect } from "react";
import { ActionDialogHost } from "@/components/actions/action-dialog";
import { Providers } from "@/components/providers";
import { setCsrfToken } from "@/lib/api";
import type { Role } from "@/server/schemas/roles";
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
        {/* Keyboard users jump past the sidebar's links; the link shows only while focused. */}
        <a
          href="#main"
          className="sr-only rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
        >
          Skip to content
        </a>
        <ActionDialogHost>
          <div className="flex min-h-screen flex-col md:flex-row">
            <Sidebar />
            <div className="flex min-w-0 flex-1 flex-col">
              <StatusStrip />
              <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-3 focus:outline-none md:p-6">
                {children}
              </main>
            </div>
          </div>
        </ActionDialogHost>
      </SessionContext.Provider>
    </Providers>
  );
}
