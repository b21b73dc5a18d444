// History ranges offered by the detail pages; the API accepts the same names (?range=1h|24h|7d) and reads that far
// back.
export type HistoryRange = "1h" | "24h" | "7d";

export const HISTORY_RANGES: readonly HistoryRange[] = ["1h", "24h", "7d"];

export const RANGE_MS: Record<HistoryRange, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000 };
