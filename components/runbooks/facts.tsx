import { CopyButton } from "@/components/ui/middle-truncate";

// A compact definition list for runbook facts (label: value), testable by data-testid.
export function Facts({ items }: { items: [string, React.ReactNode, string?][] }) {
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm md:grid-cols-4">
      {items.map(([label, value, testId]) => (
        <div key={label} className="min-w-0">
          <dt className="text-xs text-zinc-500">{label}</dt>
          <dd className="tabular-nums break-words" data-testid={testId}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Copyable({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="flex items-start gap-2">
      <pre className="min-w-0 grow overflow-x-auto rounded bg-zinc-900 p-2 text-xs text-zinc-100" data-testid={testId}>
        {text}
      </pre>
      <CopyButton value={text} size="md" />
    </div>
  );
}
