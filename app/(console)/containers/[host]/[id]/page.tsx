import type { Metadata } from "next";
import { ContainerView } from "@/components/containers/container-view";
import { decodeSegment } from "@/lib/segments";

type Params = Promise<{ host: string; id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Container ${decodeSegment(id).slice(0, 12)}` };
}

// Next passes params percent-encoded; decode once here so the client works with real names.
export default async function ContainerPage({ params }: { params: Params }) {
  const { host, id } = await params;
  return <ContainerView host={decodeSegment(host)} id={decodeSegment(id)} />;
}
