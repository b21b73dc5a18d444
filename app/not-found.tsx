import { NotFoundPanel } from "@/components/ui/not-found-panel";

// An address outside every console route (a mistyped path): the same panel as inside the console, not Next's bare 404.
export default function RootNotFound() {
  return (
    <main className="p-4 md:p-8">
      <NotFoundPanel
        what="Page"
        hint="No console page lives at this address: check the link, or start again from the overview."
        backHref="/"
        backLabel="Overview"
      />
    </main>
  );
}
