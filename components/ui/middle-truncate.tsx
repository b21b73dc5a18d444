"use client";
import { useState } from "react";
import { middleSplit } from "./middle-split";

// A long value (cgroup path, container id) that never pushes numbers out of their box: it is cut in the middle when
// the space runs out, shows the full value on hover, and has a copy button. The DOM holds the full text, so
// find-in-page and selection still see all of it.
export function MiddleTruncate({
  value,
  tailChars,
  testId,
  className = "max-w-full",
}: {
  value: string;
  /** Characters always shown at the end; the default keeps a short last path segment whole. */
  tailChars?: number;
  testId?: string;
  /** Width bounds of the whole (value and button); the value is cut when they are reached. */
  className?: string;
}) {
  const { head, tail } = middleSplit(value, tailChars);
  return (
    <span className={`inline-flex min-w-0 items-center gap-1 align-bottom ${className}`}>
      <span className="flex min-w-0 font-mono text-xs" title={value} data-testid={testId}>
        {head && <span className="truncate">{head}</span>}
        <span className="shrink-0 whitespace-pre">{tail}</span>
      </span>
      <CopyButton value={value} />
    </span>
  );
}

/**
 * Copies `value`, says "Copied" (or "Select it" where no clipboard works), and works over plain http too. `size`
 * "md" is the button beside a block (an envelope, a command); "sm" the tag beside an inline value.
 */
export function CopyButton({
  value,
  label = "Copy",
  size = "sm",
  testId,
}: {
  value: string;
  label?: string;
  size?: "sm" | "md";
  testId?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    const ok = await copyText(value);
    setState(ok ? "copied" : "failed");
    setTimeout(() => setState("idle"), 1500);
  };
  return (
    <button
      type="button"
      onClick={() => void copy()}
      title={size === "sm" ? `Copy ${value}` : label}
      data-testid={testId}
      aria-label={`${label} ${value}`}
      className={
        size === "sm"
          ? "shrink-0 rounded border border-zinc-300 px-1 font-sans text-[10px] leading-4 font-normal text-zinc-600 hover:bg-zinc-200 dark:border-zinc-700 dark:text-zinc-400 dark:hover:bg-zinc-800"
          : "shrink-0 rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
      }
    >
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Select it" : label}</span>
    </button>
  );
}

// The Clipboard API exists only in secure contexts (https, localhost); a console reached over plain http on a LAN
// falls back to the legacy copy command on a temporary text area.
async function copyText(value: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // fall through to the legacy path (permission denied, document not focused)
  }
  const area = document.createElement("textarea");
  area.value = value;
  area.setAttribute("readonly", "");
  area.className = "fixed -left-[9999px] opacity-0";
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
