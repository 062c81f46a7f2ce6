// Mimecast's date format, yyyy-MM-ddTHH:mm:ss+0000, the only one the API emits and accepts.

// Module-level copies of globals: a global lookup per call is very slow inside jest's vm context.
const NodeDate = Date;
const NodeMath = Math;

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/;

export function formatMimecastDate(ms: number): string {
  const d = new NodeDate(NodeMath.floor(ms / 1000) * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Parses yyyy-MM-ddTHH:mm:ss±HHMM (a colon in the offset is tolerated); returns ms or null. */
export function parseMimecastDate(s: string): number | null {
  const m = PATTERN.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, sign, oh, om] = m;
  const utc = NodeDate.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  if (Number.isNaN(utc)) return null;
  const check = new NodeDate(utc);
  if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1) return null;
  const offset = (+oh * 60 + +om) * 60_000 * (sign === '+' ? 1 : -1);
  return utc - offset;
}

/** Default window of get-message-list: from the first day of last calendar month to the end of today (UTC). */
export function defaultListWindow(nowMs: number): { start: number; end: number } {
  const now = new NodeDate(nowMs);
  const start = NodeDate.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const end = NodeDate.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 59, 59);
  return { start, end };
}

/** RFC 5322 date for the Date header. */
export function rfc2822Date(ms: number): string {
  return new NodeDate(ms).toUTCString().replace('GMT', '+0000');
}
