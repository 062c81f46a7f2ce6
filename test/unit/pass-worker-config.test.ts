// The worker's environment (docs/architecture.md, Commands and environment), its activity sizing, and the
// metrics it exports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCounters } from '../../common/message-counters';
import { recordMessageOutcomes } from '../../workers/activity-metrics-interceptor';
import { PrometheusCrawlMetrics, serveMetrics } from '../../workers/metrics';
import {
  defaultActivitySlots,
  defaultCachedWorkflows,
  describeConfig,
  readWorkerConfig,
} from '../../workers/worker-config';

describe('worker configuration', () => {
  it('has the defaults of docs/architecture.md, Commands and environment', () => {
    const config = readWorkerConfig({});
    expect(config).toMatchObject({
      temporalAddress: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'mimecast-crawler',
      elasticsearch: { url: 'http://127.0.0.1:9200' },
      metricsPort: 9464,
      indexPrefixes: ['mimecast'],
    });
    expect(config.tls).toBeUndefined();
    // At least the longest heartbeat timeout of the activity table (60 s).
    expect(config.shutdownGraceMs).toBeGreaterThanOrEqual(60_000);
  });

  it('reads every variable, TLS from files, and never shows secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'worker-config-'));
    for (const f of ['cert.pem', 'key.pem', 'ca.pem']) writeFileSync(join(dir, f), `---${f}---`);
    const config = readWorkerConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_TASK_QUEUE: 'q1',
      TEMPORAL_TLS_CERT: join(dir, 'cert.pem'),
      TEMPORAL_TLS_KEY: join(dir, 'key.pem'),
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
      TEMPORAL_API_KEY: 'temporal-secret',
      ELASTICSEARCH_URL: 'https://user:pw@es:9200',
      ELASTICSEARCH_API_KEY: 'es-secret',
      METRICS_PORT: '9999',
      MIMECAST_ADDRESS_HASH_KEY: 'hash-secret',
      MAX_CONCURRENT_ACTIVITIES: '12',
      INDEX_PREFIXES: 'mimecast, legal',
    });
    expect(config.tls?.clientCert?.toString()).toBe('---cert.pem---');
    expect(config.tls?.serverRootCA?.toString()).toBe('---ca.pem---');
    expect(config).toMatchObject({
      namespace: 'ns.acct',
      taskQueue: 'q1',
      temporalApiKey: 'temporal-secret',
      elasticsearch: { url: 'https://user:pw@es:9200', apiKey: 'es-secret' },
      metricsPort: 9999,
      addressHashKey: 'hash-secret',
      maxConcurrentActivityTaskExecutions: 12,
      indexPrefixes: ['mimecast', 'legal'],
    });
    const shown = JSON.stringify(describeConfig(config));
    for (const secret of ['temporal-secret', 'es-secret', 'hash-secret', 'pw@', '---key.pem---']) {
      expect(shown).not.toContain(secret);
    }
  });

  it('refuses half an mTLS pair, unreadable files and bad numbers with the variable name', () => {
    expect(() => readWorkerConfig({ TEMPORAL_TLS_CERT: __filename })).toThrow(/TEMPORAL_TLS_KEY/);
    expect(() => readWorkerConfig({ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' })).toThrow(/TEMPORAL_TLS_CA/);
    expect(() => readWorkerConfig({ METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT/);
  });

  it('sizes activity slots to cores and memory', () => {
    expect(defaultActivitySlots(2, 8 * 1024 ** 3)).toBe(32);
    expect(defaultActivitySlots(64, 1024 ** 3)).toBe(16);
    expect(defaultActivitySlots(1, 128 * 1024 ** 2)).toBe(4);
  });

  it('sizes the workflow cache to half the heap at 1.5 MB per workflow, MAX_CACHED_WORKFLOWS overrides', () => {
    expect(defaultCachedWorkflows(4 * 1024 ** 3)).toBe(1365);
    expect(defaultCachedWorkflows(16 * 1024 ** 3)).toBe(5461);
    expect(defaultCachedWorkflows(128 * 1024 ** 3)).toBe(20_000);
    expect(defaultCachedWorkflows(16 * 1024 ** 2)).toBe(100);
    expect(readWorkerConfig({ MAX_CACHED_WORKFLOWS: '0' }).maxCachedWorkflows).toBe(0);
  });
});

describe('metrics', () => {
  it('serves API calls by endpoint and status, message outcomes and bytes, plus the SDK metrics it proxies', async () => {
    const metrics = new PrometheusCrawlMetrics({ processMetrics: false });
    metrics.apiCall('/api/archive/get-message-list', 200, 12);
    metrics.apiCall('/api/archive/get-message-list', 429, 3);
    metrics.throttleWait(1500);
    recordMessageOutcomes(metrics, { ...emptyCounters(), indexed: 7, failed: 1, contentBytes: 2048 });
    const sdk = await serveFixedText('temporal_workflow_completed 5\n');
    const server = await serveMetrics(metrics, 0, `http://127.0.0.1:${sdk.port}/metrics`, '127.0.0.1');
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toMatch(
        /mimecast_api_calls_total\{endpoint="\/api\/archive\/get-message-list",status="200"\} 1/,
      );
      expect(text).toMatch(
        /mimecast_api_calls_total\{endpoint="\/api\/archive\/get-message-list",status="429"\} 1/,
      );
      expect(text).toMatch(/crawler_messages_total\{outcome="indexed"\} 7/);
      expect(text).toMatch(/crawler_messages_total\{outcome="failed"\} 1/);
      expect(text).toMatch(/crawler_content_bytes_total 2048/);
      expect(text).toMatch(/mimecast_throttle_wait_seconds_total 1.5/);
      expect(text).toContain('temporal_workflow_completed 5');
    } finally {
      await server.close();
      await sdk.close();
    }
  });
});

async function serveFixedText(body: string) {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
