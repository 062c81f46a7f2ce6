// The ports of the activities: what they (and the Mimecast client, the worker's metrics and the CLI)
// need from the process around them — a logger, crawl metrics and the activity runtime — as interfaces
// only, so those modules depend on these small contracts rather than on the dependency bag (deps.ts).
import type { BudgetSnapshot } from './mimecast/api-budget';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counters exported on METRICS_PORT (workers/metrics.ts implements it with prom-client). */
export interface CrawlMetrics {
  apiCall(endpoint: string, status: number, ms: number): void;
  throttleWait(ms: number): void;
  messageOutcome(outcome: string, count?: number): void;
  contentBytes(count: number): void;
  /** The app's API concurrency budget after a change (see activities/mimecast/api-budget.ts). */
  apiBudget?(credential: string, budget: BudgetSnapshot): void;
}

/** Heartbeats and cancellation that work inside Temporal and in a plain loop (the benchmark). */
export interface ActivityRuntime {
  heartbeat(details?: unknown): void;
  /** Details of the last heartbeat of a previous attempt (resume after a crash), if any. */
  lastHeartbeatDetails<T>(): T | undefined;
  attempt(): number;
  cancellationSignal(): AbortSignal | undefined;
  /** The activity's heartbeat timeout, to pace keep-alive heartbeats (undefined: none known). */
  heartbeatTimeoutMs?(): number | undefined;
}
