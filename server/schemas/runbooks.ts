// Runbook shapes and the timeline's wording for the browser. Re-exported, not moved: the runbook service edits
// server/runbooks/types.ts and describe.ts, the one definition; components import them from here.
export * from "@/server/runbooks/types";
export * from "@/server/runbooks/describe";
