// Mimecast accepts and emits dates only as yyyy-MM-ddTHH:mm:ss+0000 (docs/architecture.md, Mimecast API
// facts).

const MIMECAST_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$/;

/** Formats a Date or any parseable date string in UTC, truncated to the second. */
export function toMimecastDate(value: Date | string): string {
  if (typeof value === 'string' && MIMECAST_FORMAT.test(value)) return value;
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(ms)) throw new TypeError(`not a date: ${String(value)}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Parses yyyy-MM-ddTHH:mm:ss±HHMM (or any ISO-8601) into an ISO-8601 UTC string without milliseconds. */
export function mimecastDateToIso(value: string): string | undefined {
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
