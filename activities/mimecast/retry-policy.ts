// How an API call retries: the policy's limits, and the abortable sleep between attempts.

export interface RetryPolicy {
  /** Quick retries of 5xx, network errors and malformed JSON inside one call. */
  transientRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest single sleep before onWait is called again (heartbeats while waiting). */
  waitSliceMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 3,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  waitSliceMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 120_000,
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
