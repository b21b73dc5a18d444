import { Loading } from "@/components/ui/query-state";

export default function AlertsLoading() {
  return <Loading what="alerts" />;
}
