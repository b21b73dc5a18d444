import { Loading } from "@/components/ui/query-state";

export default function ContainersLoading() {
  return <Loading what="containers" />;
}
