// Where a long path or id is cut when it does not fit: the head may lose characters, the tail never does, so the
// part that tells two values apart (the last path segment, an id's last digits) stays visible.

/** Splits `value` into a head (may be truncated) and a tail (always shown). */
export function middleSplit(value: string, tailChars = 20): { head: string; tail: string } {
  if (value.length <= tailChars) return { head: "", tail: value };
  const slash = value.lastIndexOf("/", value.length - 2);
  // A path keeps its whole last segment when that segment is short enough, else its last `tailChars` characters.
  const start = slash >= 0 && value.length - slash <= tailChars ? slash : value.length - tailChars;
  return { head: value.slice(0, start), tail: value.slice(start) };
}
