import { Loading } from "@/components/ui/query-state";

export default function TaskLoading() {
  return <Loading what="task" />;
}
