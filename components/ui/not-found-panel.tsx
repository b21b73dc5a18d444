import Link from "next/link";

// Shown for an unknown container, queue or route: says what was looked for and where to go instead.
export function NotFoundPanel({
  what,
  name,
  backHref,
  backLabel,
  hint = "It may have been removed, or its source may not have reported it yet.",
}: {
  what: string;
  /** Why it may be missing; the default fits things the samplers report (containers, queues, workers). */
  hint?: string;
  name?: string;
  backHref: string;
  backLabel: string;
}) {
  return (
    <div
      data-testid="not-found"
      className="max-w-xl rounded-lg border border-zinc-300 p-4 text-sm dark:border-zinc-700"
    >
      <h1 className="text-base font-semibold">{what} not found</h1>
      {/* Words wrap between words; only a name too long for the line breaks inside (break-all split "removed"). */}
      <p className="mt-1 text-zinc-600 wrap-anywhere dark:text-zinc-400">
        {name ? (
          <>
            No {what.toLowerCase()} named <code className="font-mono">{name}</code> is known right now.{" "}
          </>
        ) : null}
        {hint}
      </p>
      <Link
        href={backHref}
        className="mt-3 inline-block rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-700"
      >
        {backLabel}
      </Link>
    </div>
  );
}
