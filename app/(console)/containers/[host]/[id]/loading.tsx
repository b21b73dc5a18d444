import { Loading } from "@/components/ui/query-state";

export default function ContainerLoading() {
  return <Loading what="container" />;
}
