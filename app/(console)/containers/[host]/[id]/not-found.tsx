import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function ContainerNotFound() {
  return <NotFoundPanel what="Container" backHref="/containers" backLabel="All containers" />;
}
