"use client";
import { useState } from "react";

// The theme lives in a cookie so the server renders the right class on first paint (no flash at night).
export function ThemeToggle() {
  const [dark, setDark] = useState(() => typeof document === "undefined" || document.documentElement.classList.contains("dark"));
  function toggle() {
    const next = !dark;
    document.documentElement.classList.toggle("dark", next);
    document.cookie = `lw_theme=${next ? "dark" : "light"}; path=/; max-age=31536000; samesite=strict`;
    setDark(next);
  }
  return (
    <button type="button" onClick={toggle} aria-pressed={!dark} className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700">
      {dark ? "Light theme" : "Dark theme"}
    </button>
  );
}
