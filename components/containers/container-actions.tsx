"use client";
import type { CgroupDetail, ContainerSummary } from "@/server/schemas/containers";

export interface ContainerActionsProps { host: string; id: string; container: ContainerSummary; cgroup: CgroupDetail | null }

// filled by the actions work (issue 5)
export function ContainerActions(_props: ContainerActionsProps) {
  return null;
}
