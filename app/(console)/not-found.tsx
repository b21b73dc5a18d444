import { NotFoundPanel } from "@/components/ui/not-found-panel";

export default function ConsoleNotFound() {
  return (
    <NotFoundPanel
      what="Page"
      hint="No console page lives at this address: check the link, or start again from the overview."
      backHref="/"
      backLabel="Overview"
    />
  );
}
