import { Loading } from "@/components/ui/query-state";

export default function QueueLoading() {
  return <Loading what="queue" />;
}
