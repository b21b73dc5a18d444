import { Loading } from "@/components/ui/query-state";

export default function QueuesLoading() {
  return <Loading what="queues" />;
}
