import { Loading } from "@/components/ui/query-state";

export default function OverviewLoading() {
  return <Loading what="the page" />;
}
