import type { Metadata } from "next";
import { QueueView } from "@/components/queues/queue-view";
import { decodeSegment } from "@/lib/segments";

type Params = Promise<{ broker: string; queue: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { queue } = await params;
  return { title: `Queue ${decodeSegment(queue)}` };
}

// The queue segment arrives percent-encoded (names may hold "/", "%", spaces or unicode); decode once here.
export default async function QueuePage({ params }: { params: Params }) {
  const { broker, queue } = await params;
  return <QueueView broker={decodeSegment(broker)} queue={decodeSegment(queue)} />;
}
