// The wiring of one ApiTransport: credential, endpoints, connection pool, gate, budget, tokens, stats, policy.
import type { Dispatcher } from 'undici';
import type { CrawlMetrics, Logger } from '../ports';
import type { ApiBudget } from './api-budget';
import type { ResolvedCredential } from './credentials';
import type { RetryPolicy } from './retry-policy';
import type { ApiStats } from './stats';
import type { ThrottleGate } from './throttle-gate';
import type { TokenCache } from './token-cache';

export interface TransportParts {
  credential: ResolvedCredential;
  apiBase: URL;
  authUrl: URL;
  dispatcher: Dispatcher;
  gate: ThrottleGate;
  budget: ApiBudget;
  tokens: TokenCache;
  stats: ApiStats;
  logger: Logger;
  metrics?: CrawlMetrics;
  retry: RetryPolicy;
}
