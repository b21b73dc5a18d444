// Vitest and tsx scripts run outside Next's react-server graph; this stands in for "server-only" there.
export {};
