import Link from "next/link";
import { containerHref, failuresHref, queueHref, workerHref } from "@/lib/segments";
import type { AlertTarget } from "@/server/schemas/alerts";

/** Where an alert's target lives in the console (a source that is down shows in the status strip of every page). */
export function targetHref(t: AlertTarget): string | null {
  switch (t.kind) {
    case "container":
      return containerHref(t.host, t.id);
    case "queue":
      return queueHref(t.broker, t.queue);
    case "worker":
      return workerHref(t.broker, t.hostname);
    case "source":
      return null;
    case "task":
      return failuresHref({ broker: t.broker, task: t.task, exc: t.exc });
  }
}

// An alert's target as a link to its page, one way everywhere alerts are listed.
export function TargetLink({ target, label }: { target: AlertTarget; label: string }) {
  const href = targetHref(target);
  const text = <span className="font-mono break-all">{label}</span>;
  return href ? (
    <Link
      href={href}
      className="min-w-0 text-blue-700 hover:underline dark:text-blue-300"
      data-testid="alert-target-link"
    >
      {text}
    </Link>
  ) : (
    text
  );
}
