// Roles and what they may do, for the browser (the UI hides what a role can't do; the server enforces it).
// Re-exported, not moved: server/auth/roles.ts is the one definition, and many server modules import it there.
export * from "@/server/auth/roles";
