// How long a 429 tells every call of a credential to wait.
import { numericHeader, type ResponseHeaders } from './http-body';

const MIN_THROTTLE_WAIT_MS = 10;

/** Wait advised by a 429: max(Retry-After s, X-RateLimit-Reset ms → s) × multiplier (ms). */
export function throttleWaitMs(headers: ResponseHeaders, retryAfterMultiplier: number): number {
  const retryAfter = numericHeader(headers, 'retry-after');
  const resetMs = numericHeader(headers, 'x-ratelimit-reset');
  const candidates = [retryAfter, resetMs === undefined ? undefined : resetMs / 1000].filter(
    (v): v is number => v !== undefined && v >= 0,
  );
  // Neither header: one second, the smallest sensible pause.
  const seconds = candidates.length ? Math.max(...candidates) : 1;
  // A floor, so a 429 advising 0 cannot turn into a tight loop against the API.
  return Math.max(MIN_THROTTLE_WAIT_MS, Math.ceil(seconds * retryAfterMultiplier));
}
