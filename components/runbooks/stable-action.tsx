"use client";
import { useMemo } from "react";
import { ActionButton, type ActionButtonProps } from "@/components/actions/action-dialog";

// The action dialog re-reads its preview whenever its target object changes identity; runbook pages re-render on
// every live frame, so targets are keyed by value here.
export function RunbookAction(props: ActionButtonProps) {
  const key = JSON.stringify(props.target);
  const target = useMemo(() => JSON.parse(key) as Record<string, unknown>, [key]);
  return <ActionButton {...props} target={target} />;
}
