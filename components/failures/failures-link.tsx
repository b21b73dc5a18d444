"use client";
import Link from "next/link";
import { useFailures } from "@/components/hooks/use-failures";
import { fmtInt } from "@/lib/format";
import { failuresHref } from "@/lib/segments";

// The way from a queue, a worker or a task name to its failed tasks (the Failures page, filtered to it), with how many are recorded.
export function FailuresLink({
  broker,
  queue,
  worker,
  task,
}: {
  broker: string;
  queue?: string;
  worker?: string;
  task?: string;
}) {
  const filters = { broker, queue, worker, task };
  const search = new URLSearchParams(
    Object.entries({ ...filters, limit: "1" }).filter((e): e is [string, string] => Boolean(e[1])),
  ).toString();
  const q = useFailures(search);
  const configured = q.data?.backends.find((b) => b.broker === broker)?.configured;
  return (
    <p className="text-sm" data-testid="failures-link">
      <Link href={failuresHref(filters)} className="text-blue-700 underline dark:text-blue-300">
        Failed tasks {queue ? "from this queue" : task ? "of this name" : "on this worker"}
      </Link>
      {q.data && (
        <span className="ml-2 text-xs text-zinc-500 tabular-nums">
          {configured === false ? "no result backend configured" : `${fmtInt(q.data.total)} recorded`}
        </span>
      )}
    </p>
  );
}
