import type { Metadata } from "next";
import Link from "next/link";
import { FailuresLink } from "@/components/failures/failures-link";
import { TaskTimings } from "@/components/tasks/task-timings";
import { PageTitle } from "@/components/ui/panel";
import { decodeSegment } from "@/lib/segments";

type Params = Promise<{ broker: string; task: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { task } = await params;
  return { title: `Task ${decodeSegment(task)}` };
}

// One task name across the broker: its timings and outcomes from Celery events, and the queues it was seen on.
export default async function TaskPage({ params }: { params: Params }) {
  const { broker, task } = await params;
  const b = decodeSegment(broker);
  const name = decodeSegment(task);
  return (
    <div className="min-w-0 space-y-4">
      <nav aria-label="Breadcrumb" className="text-xs text-zinc-500">
        <Link href="/queues" className="hover:underline">
          Queues
        </Link>{" "}
        / {b}
      </nav>
      <PageTitle sub={`broker ${b}`}>
        <span className="font-mono break-all" data-testid="task-name">
          {name}
        </span>
      </PageTitle>
      <FailuresLink broker={b} task={name} />
      <TaskTimings broker={b} filter={{ task: name }} />
    </div>
  );
}
