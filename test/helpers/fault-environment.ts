// The fault suite's environment: a PRIVATE Temporal dev server and Elasticsearch node per test file
// (never the shared 7233/9200), the crawler's real worker as a child process (so it can be SIGKILLed
// and its log scanned), the simulator in-process (faults, expected messages, issued tokens).
import { passResult } from '../../client/pass-result';
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { indexNames } from '../../common/node/documents';
import { passWorkflowId, type CrawlArchiveInput, type CrawlArchiveResult } from '../../common/contracts';
import type { SourceSettings } from '../../common/settings';
import { settings as buildSettings } from './settings';
import { removeIndexTemplates } from '../../activities/elastic/index-templates';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator';
import { startWorkerProcess, type WorkerProcess } from '../../bench/worker-process';
import { privateElasticsearch, privateTemporal, type FaultServer } from './fault-servers';
import { elasticClient } from './servers';

/** Port block of one fault file (distinct per file: jest may run files side by side). */
export interface FaultPorts {
  temporal: number;
  temporalUi: number;
  elasticsearch: number;
  elasticsearchTransport: number;
}

/** Each fault file takes a slot; its servers listen on ports derived from it, far from the shared ones. */
export function faultPorts(slot: number): FaultPorts {
  return {
    temporal: 17_200 + slot * 10,
    temporalUi: 27_200 + slot * 10,
    elasticsearch: 19_500 + slot * 10,
    elasticsearchTransport: 19_800 + slot * 10,
  };
}

const DATA_ROOT = path.resolve(__dirname, '../../.data/faults');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface FaultSource {
  sourceId: string;
  prefix: string;
  settings: SourceSettings;
}

export class FaultEnvironment {
  readonly temporal: FaultServer;
  readonly elasticsearch: FaultServer;
  es!: ElasticClient;
  client!: Client;
  private connection?: Connection;
  workers: WorkerProcess[] = [];
  /** Every worker's output, kept after it stopped (scanned for secrets). */
  private workerLogs: string[] = [];
  readonly sims: RunningSimulator[] = [];
  private readonly sources: FaultSource[] = [];
  private readonly dataDir: string;
  /** Servers may be up (or half up) from here on: teardown must kill them. */
  private setUpBegun = false;

  constructor(
    readonly name: string,
    readonly ports: FaultPorts,
  ) {
    this.dataDir = path.join(DATA_ROOT, `${name}-${ports.temporal}`);
    this.temporal = privateTemporal({
      port: ports.temporal,
      uiPort: ports.temporalUi,
      dataDir: path.join(this.dataDir, 'temporal'),
    });
    this.elasticsearch = privateElasticsearch({
      port: ports.elasticsearch,
      transportPort: ports.elasticsearchTransport,
      dataDir: path.join(this.dataDir, 'elasticsearch'),
    });
  }

  /** Assign the result before `setUp()`, so `teardown()` in afterAll also stops a half-started environment. */
  static create(name: string, slot: number): FaultEnvironment {
    return new FaultEnvironment(name, faultPorts(slot));
  }

  async setUp(): Promise<void> {
    // The scripts reuse whatever answers on a port: a leftover server would silently be "ours".
    for (const port of [this.ports.temporal, this.ports.elasticsearch]) {
      if (await portOpen(port))
        throw new Error(
          `port ${port} is in use: a server of an earlier fault run is still up (stop it first)`,
        );
    }
    await rm(this.dataDir, { recursive: true, force: true });
    this.setUpBegun = true;
    // Both servers boot at once: Elasticsearch dominates (30–60 s on 2 idle cores, minutes on busy ones).
    const results = await Promise.allSettled([this.temporal.start(), this.elasticsearch.start()]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    this.es = elasticClient(this.elasticsearch.address);
    this.connection = await Connection.connect({ address: this.temporal.address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
  }

  async simulator(options: SimulatorOptions): Promise<RunningSimulator> {
    const sim = await startSimulator({ seed: 7, ...options });
    this.sims.push(sim);
    return sim;
  }

  /** The real worker process against the private servers, with the simulator's credential. */
  async startWorker(sim: RunningSimulator, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const [credential] = sim.credentials;
    const worker = await startWorkerProcess({
      temporalAddress: this.temporal.address,
      elasticsearchUrl: this.elasticsearch.address,
      clientId: credential!.clientId,
      clientSecret: credential!.clientSecret,
      taskQueue: `faults-${this.name}`,
      env,
    });
    this.workers.push(worker);
    return worker;
  }

  async stopWorker(worker: WorkerProcess): Promise<void> {
    await worker.stop();
    this.workers = this.workers.filter((w) => w !== worker);
    this.workerLogs.push(worker.child.output());
  }

  /** SIGKILL, as a crash would: no graceful shutdown, running activities are lost mid-message. */
  async killWorker(worker: WorkerProcess): Promise<void> {
    worker.child.kill('SIGKILL');
    await worker.child.exited;
    this.workers = this.workers.filter((w) => w !== worker);
    this.workerLogs.push(worker.child.output());
  }

  /** Output of every worker this environment started (running or stopped). */
  logs(): string {
    return [...this.workerLogs, ...this.workers.map((w) => w.child.output())].join('\n');
  }

  /** A source of its own: unique id and index prefix, every domain included, settings merged per section. */
  source(sim: RunningSimulator, overrides: Record<string, object> = {}, lastDays = 400): FaultSource {
    const id = randomBytes(3).toString('hex');
    const sourceId = `f-${this.name}-${id}`;
    const prefix = `f-${this.name}-${id}`;
    const base = {
      sourceId,
      connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
      domains: { includeLocal: true },
      messages: { startDate: new Date(Date.now() - lastDays * 86_400_000).toISOString().slice(0, 10) },
      index: { prefix },
      logging: { statsIntervalSeconds: 0 },
    };
    const source = { sourceId, prefix, settings: buildSettings(overrides, base) };
    this.sources.push(source);
    return source;
  }

  async startCrawl(source: FaultSource, taskQueue = `faults-${this.name}`): Promise<WorkflowHandle> {
    const input: CrawlArchiveInput = { settings: source.settings };
    return this.client.workflow.start('crawlArchive', {
      taskQueue,
      workflowId: passWorkflowId(source.sourceId),
      args: [input],
    });
  }

  /**
   * Waits for the pass result. Polls `describe` instead of one long poll, so a Temporal server
   * restarted meanwhile (a fault case) only costs a few failed polls.
   */
  async result(handle: WorkflowHandle, timeoutMs: number): Promise<CrawlArchiveResult> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return (await passResult(handle)) as CrawlArchiveResult;
      } catch (err) {
        lastError = err;
      }
      await sleep(1000);
    }
    throw new Error(
      `the pass did not finish within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`,
    );
  }

  /** Messages of a source in its index now (0 while the index does not exist yet). */
  async indexedCount(source: FaultSource): Promise<number> {
    try {
      const { count } = await this.es.count({
        index: indexNames(source.prefix).messages,
        query: { term: { source: source.sourceId } },
      });
      return count;
    } catch {
      return 0;
    }
  }

  /** Waits until at least `n` messages are indexed: the moment a fault case strikes "mid-crawl". */
  async waitForIndexed(source: FaultSource, n: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const count = await this.indexedCount(source);
      if (count >= n) return count;
      await sleep(500);
    }
    throw new Error(`fewer than ${n} messages indexed after ${timeoutMs} ms`);
  }

  async teardown(): Promise<void> {
    for (const worker of [...this.workers]) await this.stopWorker(worker).catch(() => undefined);
    for (const source of this.client ? this.sources : []) {
      for await (const execution of this.client.workflow.list({
        query: `MimecastSource = "${source.sourceId}" AND ExecutionStatus = "Running"`,
      })) {
        await this.client.workflow
          .getHandle(execution.workflowId, execution.runId)
          .terminate('fault test teardown')
          .catch(() => undefined);
      }
      await removeIndexTemplates(this.es, source.prefix).catch(() => undefined);
    }
    for (const sim of this.sims) await sim.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    await this.es?.close().catch(() => undefined);
    if (this.setUpBegun) {
      // Kill, not stop: nothing of a fault run is worth a clean shutdown, and kill also ends a node
      // whose start timed out. Both only touch the servers whose pid files are in our data folder.
      await Promise.allSettled([this.temporal.kill(), this.elasticsearch.kill()]);
    }
    await rm(this.dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
