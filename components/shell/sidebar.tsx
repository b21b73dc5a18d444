"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { useAlerts } from "@/components/alerts/use-alerts";
import { sendJson } from "@/lib/api";
import { useSession } from "./session-context";
import { ThemeToggle } from "./theme-toggle";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/containers", label: "Containers" },
  { href: "/queues", label: "Queues" },
  { href: "/workers", label: "Workers" },
  { href: "/failures", label: "Failures" },
  { href: "/alerts", label: "Alerts" },
  { href: "/runbooks", label: "Runbooks" },
  { href: "/audit", label: "Audit" },
  { href: "/settings", label: "Settings" },
] as const;

export function Sidebar() {
  const path = usePathname();
  const router = useRouter();
  const { username, role } = useSession();
  const [open, setOpen] = useState(false);
  const alerts = useAlerts();
  const firing = alerts.data?.alerts.filter((a) => a.state === "firing").length ?? 0;
  const active = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));

  async function logout() {
    await sendJson("/api/auth/logout", {}).catch(() => undefined);
    router.replace("/login");
    router.refresh();
  }

  return (
    <nav
      aria-label="Main"
      className="border-b border-zinc-200 bg-zinc-50 md:w-52 md:shrink-0 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-center justify-between px-4 py-3">
        <Link href="/" className="font-semibold tracking-tight">
          Leakwatch
        </Link>
        <button
          type="button"
          className="rounded px-2 py-1 text-sm md:hidden"
          aria-expanded={open}
          aria-controls="nav-links"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
      </div>
      <ul id="nav-links" className={`${open ? "block" : "hidden"} px-2 pb-3 md:block`}>
        {NAV.map((n) => (
          <li key={n.href}>
            <Link
              href={n.href}
              aria-current={active(n.href) ? "page" : undefined}
              onClick={() => setOpen(false)}
              className={`block rounded px-3 py-2 text-sm ${active(n.href) ? "bg-zinc-200 font-medium dark:bg-zinc-800" : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800/60"}`}
            >
              {n.label}
              {n.href === "/alerts" && firing > 0 && (
                <span
                  className="ml-2 rounded-full bg-crit px-1.5 py-0.5 text-xs font-semibold text-white tabular-nums"
                  data-testid="nav-firing"
                  aria-label={`${firing} firing`}
                >
                  {firing}
                </span>
              )}
            </Link>
          </li>
        ))}
      </ul>
      <div
        className={`${open ? "block" : "hidden"} space-y-2 border-t border-zinc-200 px-4 py-3 text-xs md:block dark:border-zinc-800`}
      >
        <div className="text-zinc-500">
          Signed in as <span className="font-medium text-zinc-800 dark:text-zinc-200">{username}</span> ({role})
        </div>
        <div className="flex gap-2">
          <ThemeToggle />
          <button
            type="button"
            onClick={logout}
            className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700"
          >
            Sign out
          </button>
        </div>
      </div>
    </nav>
  );
}
