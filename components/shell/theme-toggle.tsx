"use client";
import { useSyncExternalStore } from "react";

// The theme lives in a cookie so the server renders the right class on first paint (no flash at night).
// The button reads the class on <html> through an external store: the server snapshot is "unknown", so the text
// rendered on the server and at hydration is the same in both themes (React error #418 otherwise), and the real
// label follows right after hydration.

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
const isDark = () => document.documentElement.classList.contains("dark");
const unknownOnServer = () => null;

export function ThemeToggle() {
  const dark = useSyncExternalStore<boolean | null>(subscribe, isDark, unknownOnServer);
  function toggle() {
    const next = !isDark();
    document.documentElement.classList.toggle("dark", next);
    document.cookie = `lw_theme=${next ? "dark" : "light"}; path=/; max-age=31536000; samesite=strict`;
  }
  return (
    <button
      type="button"
      onClick={toggle}
      aria-pressed={dark === null ? undefined : !dark}
      className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700"
    >
      {dark === null ? "Theme" : dark ? "Light theme" : "Dark theme"}
    </button>
  );
}
