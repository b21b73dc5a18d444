"use client";

export function PrintButton() {
  return (
    <button
      type="button"
      data-print="hide"
      onClick={() => window.print()}
      className="rounded border border-zinc-300 px-3 py-1 text-sm"
    >
      Print
    </button>
  );
}
