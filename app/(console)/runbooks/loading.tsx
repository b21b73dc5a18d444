import { Loading } from "@/components/ui/query-state";

export default function RunbooksLoading() {
  return <Loading what="runbooks" />;
}
