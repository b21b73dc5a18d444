import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function ConsoleNotFound() {
  return <NotFoundPanel what="Page" backHref="/" backLabel="Overview" />;
}
