// Periodic API statistics (logging.statsIntervalSeconds; 0 = off): calls, calls/s, HTTP errors,
// 429s, per endpoint, and the app's concurrency budget — one log line per interval, counters reset
// after each line.
import type { Logger } from '../ports';
import type { BudgetSnapshot } from './api-budget';

interface EndpointStats {
  calls: number;
  httpErrors: number;
  throttled: number;
}

export interface ApiStatsSnapshot {
  calls: number;
  callsPerSecond: number;
  httpErrors: number;
  throttled: number;
  seconds: number;
  endpoints: Record<string, EndpointStats>;
  /** The app's concurrency budget now: limit, calls in flight and queued, increases and cuts so far. */
  budget?: BudgetSnapshot;
}

export class ApiStats {
  private endpoints = new Map<string, EndpointStats>();
  private since: number;
  private timer?: NodeJS.Timeout;
  private intervalSeconds = 0;

  constructor(
    private readonly logger: Logger,
    private readonly label: string,
    private readonly budget?: () => BudgetSnapshot,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  record(endpoint: string, status: number | 'error'): void {
    const e = this.endpoints.get(endpoint) ?? { calls: 0, httpErrors: 0, throttled: 0 };
    e.calls += 1;
    if (status === 429) e.throttled += 1;
    else if (status === 'error' || status >= 400) e.httpErrors += 1;
    this.endpoints.set(endpoint, e);
  }

  snapshot(): ApiStatsSnapshot {
    const seconds = Math.max(0.001, (this.now() - this.since) / 1000);
    const endpoints = Object.fromEntries(this.endpoints);
    const sum = (k: keyof EndpointStats) => [...this.endpoints.values()].reduce((a, e) => a + e[k], 0);
    const calls = sum('calls');
    return {
      calls,
      callsPerSecond: Math.round((calls / seconds) * 100) / 100,
      httpErrors: sum('httpErrors'),
      throttled: sum('throttled'),
      seconds: Math.round(seconds),
      endpoints,
      ...(this.budget ? { budget: this.budget() } : {}),
    };
  }

  /** Logs a line now and starts a new interval (skipped when nothing happened). */
  flush(): void {
    const snap = this.snapshot();
    this.endpoints = new Map();
    this.since = this.now();
    if (snap.calls > 0)
      this.logger.info({ mimecastStats: { client: this.label, ...snap } }, 'mimecast api stats');
  }

  /** (Re)starts the periodic line; 0 stops it. */
  setInterval(seconds: number): void {
    if (seconds === this.intervalSeconds) return;
    this.stop();
    this.intervalSeconds = seconds;
    if (seconds > 0) {
      this.timer = setInterval(() => this.flush(), seconds * 1000);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.intervalSeconds = 0;
  }
}
