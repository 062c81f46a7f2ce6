// One place per worker process that hands out Mimecast clients: resolves the credential, refuses
// hosts it is not allowed for, and shares per process what must be shared — one transport per
// (credential, apiEndpoint, authEndpoint), one token cache per (app, token URL), one throttle
// gate and one concurrency budget per app (its quota), and one keep-alive connection pool per
// origin (an undici Agent).
import { createHash } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import type { SourceSettings } from '../../common/settings';
import type { CrawlMetrics, Logger } from '../ports';
import { ApiBudget, type BudgetOptions, type BudgetSnapshot } from './api-budget';
import { ApiTransport } from './api-transport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { MimecastClient } from './client';
import { assertHostAllowed, resolveCredential } from './credentials';
import { ApiStats } from './stats';
import { ThrottleGate } from './throttle-gate';
import { TokenCache } from './token-cache';
import { ApiTracer } from './trace';

export interface MimecastClientProviderOptions {
  env?: Record<string, string | undefined>;
  logger: Logger;
  metrics?: CrawlMetrics;
  /** Clock of token expiry (tests); waits use real time. */
  clock?: () => number;
  retry?: Partial<RetryPolicy>;
  /** The per-app concurrency budget's bounds (tests; the defaults suit the Mimecast API). */
  budget?: Partial<BudgetOptions>;
  /** Replaces the provider's own keep-alive Agent (tests observe requests through it); not closed by close(). */
  dispatcher?: Dispatcher;
}

export class MimecastClientProvider {
  private readonly transports = new Map<string, ApiTransport>();
  private readonly tokenCaches = new Map<string, TokenCache>();
  private readonly gates = new Map<string, ThrottleGate>();
  private readonly budgets = new Map<string, ApiBudget>();
  private readonly agent?: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: MimecastClientProviderOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    if (opts.dispatcher) this.dispatcher = opts.dispatcher;
    else
      this.dispatcher = this.agent = new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 120_000,
        // Enough for the budget's ceiling: a queued request would hide from the budget's count.
        connections: 64,
      });
  }

  /** A client for one source's settings. Throws SourceError for a missing credential or a refused host. */
  forSettings(settings: SourceSettings): MimecastClient {
    const env = this.opts.env ?? process.env;
    const credential = resolveCredential(settings.connection.credential, env);
    const apiBase = assertHostAllowed(credential, settings.connection.apiEndpoint, 'connection.apiEndpoint');
    const authUrl = assertHostAllowed(
      credential,
      settings.connection.authEndpoint,
      'connection.authEndpoint',
    );
    // The secret's digest is part of the key so a rotated secret gets a fresh transport and token.
    const secretDigest = createHash('sha256').update(credential.clientSecret).digest('hex');
    const key = [credential.name, credential.clientId, secretDigest, apiBase.href, authUrl.href].join('\n');
    let transport = this.transports.get(key);
    if (!transport) {
      const gateKey = credential.clientId;
      const gate = this.gates.get(gateKey) ?? new ThrottleGate();
      this.gates.set(gateKey, gate);
      const budget = this.budgets.get(gateKey) ?? new ApiBudget(this.opts.budget);
      this.budgets.set(gateKey, budget);
      const tokenKey = `${credential.clientId}\n${secretDigest}\n${authUrl.href}`;
      let tokens = this.tokenCaches.get(tokenKey);
      const created: ApiTransport = new ApiTransport({
        credential,
        apiBase,
        authUrl,
        dispatcher: this.dispatcher,
        gate,
        budget,
        // The cache fetches through whichever transport created it: same app, same token URL.
        tokens: tokens ?? (tokens = new TokenCache(() => created.fetchToken(), this.opts.clock)),
        stats: new ApiStats(this.opts.logger, `${credential.name}@${apiBase.host}`, () => budget.snapshot()),
        logger: this.opts.logger,
        metrics: this.opts.metrics,
        retry: this.retry,
      });
      this.tokenCaches.set(tokenKey, tokens);
      transport = created;
      this.transports.set(key, transport);
    }
    transport.stats.setInterval(settings.logging.statsIntervalSeconds);
    const t = transport;
    const tracer = new ApiTracer(this.opts.logger, settings.logging.traceLevel, () => [
      credential.clientSecret,
      ...t.tokens.knownValues(),
    ]);
    return new MimecastClient(transport, {
      retryAfterMultiplier: settings.performance.retryAfterMultiplier,
      authTokenOffsetSeconds: settings.performance.authTokenOffsetSeconds,
      tracer,
    });
  }

  /** The concurrency budget of each app (client id) this worker has called (diagnostics, tests). */
  budgetSnapshots(): BudgetSnapshot[] {
    return [...this.budgets.values()].map((b) => b.snapshot());
  }

  /** Token requests made so far for a credential's app (tests, diagnostics). */
  tokenRequests(): number {
    return [...this.tokenCaches.values()].reduce((n, c) => n + c.requests, 0);
  }

  /** Stops stats timers and closes pooled connections (worker shutdown, tests). */
  async close(): Promise<void> {
    for (const t of this.transports.values()) {
      t.stats.flush();
      t.stats.stop();
    }
    this.transports.clear();
    await this.agent?.close();
  }
}
