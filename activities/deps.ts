// What activities need from the outside world, injected by the worker (real clients) or by
// tests and the benchmark's plain loop (samples-typescript `activities-dependency-injection`).
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient } from '@temporalio/client';
import type { MimecastClientProvider } from './mimecast/client-provider';
import type { ExtractionPool } from './extract/extraction-pool';
import type { ContentCache } from './extract/content-cache';

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

export interface ActivityDeps {
  elastic: ElasticClient;
  /** Needed by the activities that describe, find or stop workflows. */
  temporal?: TemporalClient;
  mimecast: MimecastClientProvider;
  extraction: ExtractionPool;
  logger: Logger;
  metrics?: CrawlMetrics;
  /** Default: the Temporal activity context; the benchmark's plain loop injects its own. */
  runtime?: () => ActivityRuntime;
  /** Progress callback (messages indexed, pages), used outside Temporal. */
  onProgress?: (event: { kind: 'page' | 'message'; address: string; counters?: object }) => void;
  now?: () => Date;
  /** Key of privacy.hashAddresses (HMAC); from the worker's environment, never from settings. */
  addressHashKey?: string;
  /** Optional RFC822 cache by Mimecast id: a message in many mailboxes is fetched once per worker. */
  contentCache?: ContentCache;
}
