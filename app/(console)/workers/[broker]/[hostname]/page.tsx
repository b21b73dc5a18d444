import type { Metadata } from "next";
import { WorkerView } from "@/components/workers/worker-view";
import { decodeSegment } from "@/lib/segments";

type Params = Promise<{ broker: string; hostname: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { hostname } = await params;
  return { title: `Worker ${decodeSegment(hostname)}` };
}

export default async function WorkerPage({ params }: { params: Params }) {
  const { broker, hostname } = await params;
  return <WorkerView broker={decodeSegment(broker)} hostname={decodeSegment(hostname)} />;
}
