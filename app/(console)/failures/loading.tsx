import { Loading } from "@/components/ui/query-state";

export default function FailuresLoading() {
  return <Loading what="failures" />;
}
