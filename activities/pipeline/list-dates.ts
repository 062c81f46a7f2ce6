// The `received` dates of list records: Mimecast writes `2024-01-03T09:12:44+0000`, ISO dates
// parse too once the offset has its colon.

function normaliseDate(s: string): string {
  return s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

/** Milliseconds since the epoch (NaN for what is not a date). */
export function receivedMs(received: string): number {
  return Date.parse(normaliseDate(received));
}

/** ISO-8601 UTC to the second; a value that is not a date is returned as it is. */
export function receivedIsoOf(received: string): string {
  const ms = receivedMs(received);
  return Number.isNaN(ms) ? received : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sameSecond(a: string, b: string): boolean {
  return Math.floor(receivedMs(a) / 1000) === Math.floor(receivedMs(b) / 1000);
}
