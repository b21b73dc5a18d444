import { Loading } from "@/components/ui/query-state";

export default function AuditLoading() {
  return <Loading what="the audit log" />;
}
