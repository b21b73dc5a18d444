import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function QueueNotFound() {
  return <NotFoundPanel what="Queue" backHref="/queues" backLabel="All queues" />;
}
