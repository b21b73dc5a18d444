import Link from "next/link";
import { failuresHref } from "@/lib/segments";

// The way from a queue or a worker to its failed tasks (the Failures page, filtered to it).
export function FailuresLink({ broker, queue, worker }: { broker: string; queue?: string; worker?: string }) {
  return (
    <Link
      href={failuresHref({ broker, queue, worker })}
      className="text-sm text-blue-700 underline dark:text-blue-300"
      data-testid="failures-link"
    >
      Failed tasks {queue ? "from this queue" : "on this worker"}
    </Link>
  );
}
