// What activities need from the outside world, injected by the worker (real clients) or by
// tests and the benchmark's plain loop (samples-typescript `activities-dependency-injection`).
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient } from '@temporalio/client';
import type { MimecastClientProvider } from './mimecast/client-provider';
import type { ExtractionPool } from './extract/extraction-pool';
import type { ContentCache } from './extract/content-cache';
import type { ActivityRuntime, CrawlMetrics, Logger } from './ports';

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
