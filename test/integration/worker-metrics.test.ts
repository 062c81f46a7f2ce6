// The worker (workers/main.ts) against the real servers and the simulator: createWorker runs a pass
// and its /metrics endpoint reports API calls and message outcomes; the `worker` process serves the
// SDK's runtime metrics on the same port and stops cleanly (exit 0) on SIGTERM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client, Connection } from '@temporalio/client';
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import { passWorkflowId } from '../../common/contracts';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../../common/node/defaults';
import { parseSettingsLenient } from '../../common/settings';
import { removeIndexTemplates } from '../../activities/elastic/index-templates';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { createWorker, type CrawlerWorker } from '../../workers/main';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(180_000);

const id = randomBytes(3).toString('hex');
const prefix = `t-worker-${id}`;
const sourceId = `src-worker-${id}`;
const taskQueue = `tq-worker-${id}`;
let sim: RunningSimulator;
let es: ElasticClient;
let connection: Connection;
let client: Client;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sim = await startSimulator({ preset: 'tiny' });
  es = new ElasticClient({ node: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL });
  connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
  });
  client = new Client({ connection });
});

afterAll(async () => {
  await terminateSource(client, sourceId).catch(() => undefined);
  await removeIndexTemplates(es, prefix).catch(() => undefined);
  await sim?.close();
  await connection?.close();
  await es?.close();
});

function metricValue(text: string, pattern: RegExp): number {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('createWorker crawls a pass and /metrics reports API calls and message outcomes', async () => {
  const [credential] = sim.credentials;
  let crawler: CrawlerWorker | undefined;
  let running: Promise<void> | undefined;
  try {
    crawler = await createWorker({
      env: {
        MIMECAST_CLIENT_ID: credential!.clientId,
        MIMECAST_CLIENT_SECRET: credential!.clientSecret,
        MIMECAST_DEV_HOSTS: 'loopback',
      },
      config: { taskQueue, metricsPort: 0, indexPrefixes: [prefix], shutdownGraceMs: 2_000 },
      serveMetrics: true,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    running = crawler.run();
    // createWorker installed the templates of the prefixes it was given.
    expect(await es.indices.existsIndexTemplate({ name: `${prefix}-crawler-messages` })).toBe(true);

    const settings = parseSettingsLenient({
      sourceId,
      connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
      index: { prefix },
      domains: { includeLocal: true },
      messages: { startDate: new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10) },
      logging: { statsIntervalSeconds: 0 },
    });
    const result: CrawlArchiveResult = await client.workflow.execute('crawlArchive', {
      taskQueue,
      workflowId: passWorkflowId(sourceId),
      args: [
        {
          settings,
          tuning: { livenessCheckMs: 10_000, mailboxTuning: { windowDays: 60 } },
        } satisfies CrawlArchiveInput,
      ],
    });
    expect(result.status).toBe('Completed');
    expect(result.messages.indexed).toBeGreaterThan(0);

    const text = await (await fetch(`http://127.0.0.1:${crawler.metricsServer!.port}/metrics`)).text();
    expect(
      metricValue(text, /^mimecast_api_calls_total\{endpoint="[^"]*get-message-list",status="200"\}/),
    ).toBeGreaterThan(0);
    expect(
      metricValue(text, /^mimecast_api_calls_total\{endpoint="[^"]*get-internal-users",status="200"\}/),
    ).toBeGreaterThan(0);
    expect(metricValue(text, /^crawler_messages_total\{outcome="indexed"\}/)).toBe(result.messages.indexed);
    expect(metricValue(text, /^crawler_content_bytes_total/)).toBeGreaterThan(0);
  } finally {
    crawler?.shutdown();
    await running;
  }
});

it('the worker process serves SDK and crawl metrics on METRICS_PORT and exits 0 on SIGTERM', async () => {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'workers/main.ts'], {
    cwd: `${__dirname}/../..`,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: `${taskQueue}-process`,
      METRICS_PORT: String(metricsPort),
      SDK_METRICS_PORT: String(await freePort()),
      INDEX_PREFIXES: prefix,
      SHUTDOWN_GRACE_SECONDS: '5',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let text = '';
    const deadline = Date.now() + 120_000;
    while (!text.includes('temporal_')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`worker did not serve metrics:\n${output}`);
      await sleep(500);
      text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
    }
    expect(text).toContain('# HELP mimecast_api_calls_total');
    expect(text).toMatch(/^temporal_\w+/m);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
