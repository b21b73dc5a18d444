import { NotFoundPanel } from "@/components/ui/not-found-panel";

// Docker knows no container by this id or name on this endpoint (the page answers HTTP 404).
export default function ContainerNotFound() {
  return (
    <NotFoundPanel
      what="Container"
      hint="Docker knows no container by this id or name on this endpoint. It may have been removed, or recreated under a new id (compose does that on every up): find it by name in the list."
      backHref="/containers"
      backLabel="All containers"
    />
  );
}
