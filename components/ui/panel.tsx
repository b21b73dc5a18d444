// A titled section: the page's building block, with an optional right-hand slot (range toggle, counts).
export function Panel({
  title,
  aside,
  children,
  testId,
  className = "",
}: {
  title: React.ReactNode;
  aside?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <section
      data-testid={testId}
      className={`min-w-0 rounded-lg border border-zinc-200 bg-zinc-50/60 p-3 md:p-4 dark:border-zinc-800 dark:bg-zinc-900/40 ${className}`}
    >
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold tracking-tight">{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export function PageTitle({ children, sub }: { children: React.ReactNode; sub?: React.ReactNode }) {
  return (
    <div className="mb-4 min-w-0">
      <h1 className="text-xl font-semibold tracking-tight break-words">{children}</h1>
      {sub && <div className="mt-1 text-sm text-zinc-500">{sub}</div>}
    </div>
  );
}

/** A label/value pair for fact lists; values are right-aligned tabular numbers. */
export function Fact({
  label,
  children,
  testId,
}: {
  label: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <div className="flex items-baseline justify-between gap-3 border-b border-zinc-200/70 py-1 text-sm last:border-b-0 dark:border-zinc-800/70">
      <dt className="text-zinc-500">{label}</dt>
      <dd data-testid={testId} className="min-w-0 text-right break-all tabular-nums">
        {children}
      </dd>
    </div>
  );
}
