import { fmtAge } from "@/lib/format";

// A down source never blanks the page: it says which source, why, and how old the shown values are.
export function SourceNotice({
  kind,
  name,
  error,
  sampledAt,
  testId,
}: {
  kind: string;
  name: string;
  error: string | null;
  sampledAt: number | null;
  testId?: string;
}) {
  return (
    <div
      role="status"
      data-testid={testId}
      className="mb-3 rounded-md border border-crit/50 bg-crit/10 px-3 py-2 text-sm text-red-800 dark:text-red-200"
    >
      <span className="font-medium">
        {kind} {name} is down
      </span>
      {error && <span className="break-words"> — {error}</span>}
      <span className="block text-xs opacity-90">
        {sampledAt ? `Showing last good values from ${fmtAge(sampledAt)}.` : "No values received from it yet."}
      </span>
    </div>
  );
}
