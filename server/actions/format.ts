export const fmtLimit = (n: number | null | undefined): string =>
  n === null || n === undefined ? "unlimited" : String(n);
