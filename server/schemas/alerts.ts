// Alert shapes and rule metadata for the browser. Re-exported, not moved: the alert service and its parallel work
// edit server/alerts/types.ts, the one definition; components import them from here.
export * from "@/server/alerts/types";
