import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function ContainersNotFound() {
  return <NotFoundPanel what="Container" backHref="/containers" backLabel="All containers" />;
}
