import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ContainerView } from "@/components/containers/container-view";
import { decodeSegment } from "@/lib/segments";
import { requireUser } from "@/server/auth/current";
import { containerKnown } from "@/server/read-models";

type Params = Promise<{ host: string; id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Container ${decodeSegment(id).slice(0, 12)}` };
}

// Next passes params percent-encoded; decode once here so the client works with real names. An id Docker does not
// know is a real 404 (asked only after the session check, so nobody learns which ids exist without signing in).
export default async function ContainerPage({ params }: { params: Params }) {
  const { host, id } = await params;
  await requireUser();
  if (!(await containerKnown(decodeSegment(host), decodeSegment(id)))) notFound();
  return <ContainerView host={decodeSegment(host)} id={decodeSegment(id)} />;
}
