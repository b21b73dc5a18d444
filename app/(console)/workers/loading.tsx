import { Loading } from "@/components/ui/query-state";

export default function WorkersLoading() {
  return <Loading what="workers" />;
}
