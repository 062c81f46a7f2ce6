// What one activity (or one CLI command) spends on the API: calls, link downloads, 429s and the
// time waited, plus the heartbeat callback to run while waiting and the throttling budget.

export interface CallCounters {
  apiCalls: number;
  linkGets: number;
  throttled: number;
  throttleWaitMs: number;
}

export interface CallObserver {
  /** Called while the client waits (throttling, backoff), at least every few seconds: heartbeat here. */
  onWait?(waitedMs: number): void;
  /** Throttle waiting allowed in this scope before a ThrottledError (default ~2 minutes). */
  maxThrottleWaitMs?: number;
}

export const DEFAULT_MAX_THROTTLE_WAIT_MS = 120_000;

export class CallScope {
  readonly counters: CallCounters = { apiCalls: 0, linkGets: 0, throttled: 0, throttleWaitMs: 0 };
  readonly maxThrottleWaitMs: number;

  constructor(private readonly observer: CallObserver = {}) {
    this.maxThrottleWaitMs = observer.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS;
  }

  /** Throttle budget left in this scope. */
  throttleBudgetLeft(): number {
    return Math.max(0, this.maxThrottleWaitMs - this.counters.throttleWaitMs);
  }

  waited(ms: number, throttling: boolean): void {
    if (throttling) this.counters.throttleWaitMs += ms;
    this.observer.onWait?.(ms);
  }
}
