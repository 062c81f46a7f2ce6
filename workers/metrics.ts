// Prometheus metrics of the worker (docs/architecture.md, Commands and environment): crawl counters (API
// calls by endpoint and status, throttle waits, message outcomes, content bytes) from prom-client, plus the
// Temporal SDK's runtime metrics, which the SDK serves on its own port and METRICS_PORT proxies, so one
// scrape gets both.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CrawlMetrics } from '../activities/ports';
import type { BudgetSnapshot } from '../activities/mimecast/api-budget';

export class PrometheusCrawlMetrics implements CrawlMetrics {
  readonly registry = new Registry();
  private readonly apiCalls = new Counter({
    name: 'mimecast_api_calls_total',
    help: 'Mimecast /api calls by endpoint and HTTP status (retries and 429s included)',
    labelNames: ['endpoint', 'status'],
    registers: [this.registry],
  });
  private readonly apiLatency = new Histogram({
    name: 'mimecast_api_call_duration_seconds',
    help: 'Duration of Mimecast /api calls',
    labelNames: ['endpoint'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly throttleWaits = new Counter({
    name: 'mimecast_throttle_waits_total',
    help: 'Waits for the Mimecast rate limit (429)',
    registers: [this.registry],
  });
  private readonly throttleSeconds = new Counter({
    name: 'mimecast_throttle_wait_seconds_total',
    help: 'Time spent waiting for the Mimecast rate limit',
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'crawler_messages_total',
    help: 'Messages by outcome (indexed, skippedExisting, skippedBySubject, failed, deleted, oversize, …)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'crawler_content_bytes_total',
    help: 'Message content bytes downloaded',
    registers: [this.registry],
  });

  private readonly budgetLimit = new Gauge({
    name: 'mimecast_api_concurrency_limit',
    help: 'Mimecast API calls the worker allows in flight at once per credential (AIMD budget)',
    labelNames: ['credential'],
    registers: [this.registry],
  });
  private readonly budgetInFlight = new Gauge({
    name: 'mimecast_api_calls_in_flight',
    help: 'Mimecast API calls in flight per credential',
    labelNames: ['credential'],
    registers: [this.registry],
  });
  private readonly budgetWaiting = new Gauge({
    name: 'mimecast_api_calls_waiting',
    help: 'Mimecast API calls queued for a slot of the concurrency budget per credential',
    labelNames: ['credential'],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  apiCall(endpoint: string, status: number, ms: number): void {
    this.apiCalls.inc({ endpoint, status: String(status) });
    this.apiLatency.observe({ endpoint }, ms / 1000);
  }
  throttleWait(ms: number): void {
    this.throttleWaits.inc();
    this.throttleSeconds.inc(ms / 1000);
  }
  messageOutcome(outcome: string, count = 1): void {
    if (count > 0) this.messages.inc({ outcome }, count);
  }
  contentBytes(count: number): void {
    if (count > 0) this.bytes.inc(count);
  }
  apiBudget(credential: string, budget: BudgetSnapshot): void {
    this.budgetLimit.set({ credential }, budget.limit);
    this.budgetInFlight.set({ credential }, budget.inFlight);
    this.budgetWaiting.set({ credential }, budget.waiting);
  }
}

async function fetchSdkMetrics(sdkMetricsUrl: string | undefined): Promise<string> {
  if (!sdkMetricsUrl) return '';
  try {
    const response = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  } catch {
    // The SDK exporter not answering must not hide the crawl metrics.
    return '';
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** `port` when nothing listens on it at `host`, else a free port the OS picks (0 stays 0). */
export async function portOrFree(port: number, host = '127.0.0.1'): Promise<number> {
  if (port === 0) return 0;
  const probe = createServer();
  try {
    await listen(probe, port, host);
    return port;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await listen(probe, 0, host);
    return (probe.address() as { port: number }).port;
  } finally {
    if (probe.listening) await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (crawl counters + the SDK's, proxied from sdkMetricsUrl) on `port` (0 = any free
 * port); when `port` is taken, on a free one (`port` of the result says which).
 */
export async function serveMetrics(
  metrics: PrometheusCrawlMetrics,
  port: number,
  sdkMetricsUrl?: string,
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(req.url === '/healthz' ? 200 : 404).end(req.url === '/healthz' ? 'ok\n' : '');
      return;
    }
    Promise.all([metrics.registry.metrics(), fetchSdkMetrics(sdkMetricsUrl)])
      .then(([own, sdk]) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(sdk ? `${own}\n${sdk}` : own);
      })
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  try {
    await listen(server, port, host);
  } catch (err) {
    // A second worker on the same host: take a free port instead of exiting (the caller logs which).
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    await listen(server, 0, host);
  }
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
