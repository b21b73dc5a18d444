import { Loading } from "@/components/ui/query-state";

// Loading states live per section, not on the whole console: a boundary above the container page would flush its
// fallback (and HTTP 200) before the page can answer 404 for an unknown container.

export default function OverviewLoading() {
  return <Loading what="the page" />;
}
