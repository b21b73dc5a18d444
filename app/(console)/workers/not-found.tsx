import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function WorkersNotFound() {
  return <NotFoundPanel what="Page" backHref="/workers" backLabel="All workers" />;
}
