import { Loading } from "@/components/ui/query-state";

export default function SettingsLoading() {
  return <Loading what="settings" />;
}
