import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import "./globals.css";
import "uplot/dist/uPlot.min.css";

export const metadata: Metadata = {
  title: { default: "Leakwatch", template: "%s · Leakwatch" },
  description: "Threads, pids limits and Celery queues for on-call engineers.",
  // public/: installable on a phone's home screen (the on-call engineer's first screen at 3 a.m.).
  manifest: "/manifest.webmanifest",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#09090b" };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const theme = (await cookies()).get("lw_theme")?.value === "light" ? "light" : "dark";
  return (
    <html lang="en" className={theme === "dark" ? "dark" : ""}>
      <body className="antialiased">{children}</body>
    </html>
  );
}
