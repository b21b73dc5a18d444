import type { Metadata } from "next";
import { filterFromSearch } from "@/components/containers/fleet";
import { ContainersView } from "@/components/containers/containers-view";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Containers" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function ContainersPage({ searchParams }: { searchParams: Search }) {
  const initialFilter = filterFromSearch(await searchParams);
  return (
    <>
      <PageTitle sub="Threads and pids against the limit that really binds (the container's own or a tighter ancestor cgroup).">
        Containers
      </PageTitle>
      {/* keyed by the filter so a new overview link resets the form instead of keeping stale input */}
      <ContainersView key={JSON.stringify(initialFilter)} initialFilter={initialFilter} />
    </>
  );
}
