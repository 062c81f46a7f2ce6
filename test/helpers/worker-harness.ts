// A reusable integration harness: the simulator in-process, real dependencies (Elasticsearch on
// 127.0.0.1:9200, a MimecastClientProvider with the simulator's credentials, an ExtractionPool),
// index templates under a unique prefix, a Temporal worker on a unique task queue, a client, and
// a teardown that removes everything it created. Used by the mailbox and pass suites.
import { Client as ElasticClient } from '@elastic/elasticsearch';
import {
  Client,
  Connection,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
} from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type {
  CrawlMailboxInput,
  CrawlRequest,
  MailboxReport,
  MailboxTuning,
  PassMode,
  View,
} from '../../common/contracts';
import type { CrawlerActivities } from '../../common/activity-contracts';
import { mailboxWorkflowId } from '../../common/contracts';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../../common/node/defaults';
import { indexNames } from '../../common/node/documents';
import type { SourceSettings, SourceSettingsInput } from '../../common/settings';
import { settings as buildSettings } from './settings';
import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../activities/deps';
import type { Logger } from '../../activities/ports';
import { ensureIndexTemplates, removeIndexTemplates } from '../../activities/elastic/index-templates';
import { ExtractionPool } from '../../activities/extract/extraction-pool';
import { MimecastClientProvider } from '../../activities/mimecast/client-provider';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator';
import { collectedReportsQuery, reportCollector, stopCollectorSignal } from './test-workflows';
import type { WorkerProcessConfig } from './worker-process';

export interface HarnessOptions {
  /** Short name of the suite: part of the index prefix, source id and task queue. */
  name: string;
  simulator?: SimulatorOptions;
  worker?: Partial<WorkerOptions>;
  /** Wraps the real activities (e.g. to inject a fault into one of them). */
  wrapActivities?: (activities: CrawlerActivities) => CrawlerActivities;
  /** false: no in-process worker at start (a test runs one in a child process first). */
  startWorker?: boolean;
}

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One bundle per test file: webpack is the slowest part of starting a worker. */
function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({
    workflowsPath: require.resolve('./test-workflows'),
    logger: new DefaultLogger('WARN'),
  });
  return bundlePromise;
}

function installRuntimeOnce(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier harness in this process.
  }
}

export class WorkerHarness {
  readonly id = randomBytes(3).toString('hex');
  readonly prefix: string;
  readonly sourceId: string;
  readonly taskQueue: string;
  sim!: RunningSimulator;
  es!: ElasticClient;
  client!: Client;
  deps!: ActivityDeps;
  worker?: Worker;
  private connection?: Connection;
  private nativeConnection?: NativeConnection;
  private workerRun?: Promise<void>;
  private provider?: MimecastClientProvider;
  private pool?: ExtractionPool;
  private readonly started: WorkflowHandle[] = [];
  private readonly children: ChildProcess[] = [];
  private collector?: WorkflowHandle<typeof reportCollector>;

  constructor(private readonly options: HarnessOptions) {
    const name = options.name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    this.prefix = `t-${name}-${this.id}`;
    this.sourceId = `src-${name}-${this.id}`;
    this.taskQueue = `tq-${name}-${this.id}`;
  }

  static async start(options: HarnessOptions): Promise<WorkerHarness> {
    const h = new WorkerHarness(options);
    await h.setUp();
    return h;
  }

  private async setUp(): Promise<void> {
    installRuntimeOnce();
    this.sim = await startSimulator({ preset: 'tiny', ...this.options.simulator });
    this.es = new ElasticClient({ node: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL });
    await ensureIndexTemplates(this.es, this.prefix);
    const [credential] = this.sim.credentials;
    this.provider = new MimecastClientProvider({
      env: {
        MIMECAST_CLIENT_ID: credential!.clientId,
        MIMECAST_CLIENT_SECRET: credential!.clientSecret,
        MIMECAST_DEV_HOSTS: 'loopback',
      },
      logger: quietLogger,
      // Tests must not wait long for backoff: two quick client retries, then the activity's own.
      retry: { transientRetries: 1, baseDelayMs: 50, maxDelayMs: 200, waitSliceMs: 1000 },
    });
    this.pool = new ExtractionPool({ threads: 1, timeoutMs: 10_000 });
    const address = process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS;
    this.connection = await Connection.connect({ address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
    this.deps = {
      elastic: this.es,
      temporal: this.client,
      mimecast: this.provider,
      extraction: this.pool,
      logger: quietLogger,
    };
    this.nativeConnection = await NativeConnection.connect({ address });
    if (this.options.startWorker !== false) await this.startWorker();
  }

  /**
   * Starts a worker on this harness's task queue in a child process (test/helpers/worker-process.ts)
   * and resolves once it polls; the caller may SIGKILL it.
   */
  async spawnWorkerProcess(): Promise<ChildProcess> {
    const [credential] = this.sim.credentials;
    const config: WorkerProcessConfig = {
      temporalAddress: process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
      elasticsearchUrl: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL,
      taskQueue: this.taskQueue,
      clientId: credential!.clientId,
      clientSecret: credential!.clientSecret,
    };
    // node itself runs the worker (tsx as a require hook, not its CLI, which would fork a grandchild
    // that survives a SIGKILL of its parent).
    const child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), require.resolve('./worker-process')],
      {
        env: { ...process.env, WORKER_PROCESS_CONFIG: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`worker process exited (${code}): ${stderr.slice(-2000)}`)),
      );
    });
    return child;
  }

  /** Starts (or restarts) the worker on the harness's task queue. */
  async startWorker(extra: Partial<WorkerOptions> = {}): Promise<Worker> {
    if (this.worker) throw new Error('worker already running');
    const real = createActivities(this.deps);
    const activities = this.options.wrapActivities ? this.options.wrapActivities(real) : real;
    this.worker = await Worker.create({
      connection: this.nativeConnection!,
      taskQueue: this.taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
      // Heartbeats must reach the server quickly for the crash-resume path to see the in-flight id.
      maxHeartbeatThrottleInterval: '500ms',
      defaultHeartbeatThrottleInterval: '500ms',
      shutdownGraceTime: '2s',
      ...this.options.worker,
      ...extra,
    });
    this.workerRun = this.worker.run();
    return this.worker;
  }

  async stopWorker(): Promise<void> {
    if (!this.worker) return;
    this.worker.shutdown();
    await this.workerRun?.catch(() => undefined);
    this.worker = undefined;
  }

  /** Settings of this harness's source against the simulator (overrides merged per section). */
  settings(overrides: Partial<Record<keyof SourceSettingsInput, object>> = {}): SourceSettings {
    const days = 400;
    const startDate = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    const base = {
      sourceId: this.sourceId,
      connection: { apiEndpoint: this.sim.url, authEndpoint: `${this.sim.url}/oauth/token` },
      index: { prefix: this.prefix },
      messages: { startDate },
      logging: { statsIntervalSeconds: 0 },
    };
    return buildSettings(overrides, base);
  }

  /** The workflow standing in for the pass: receives the mailboxes' reports. */
  async reportCollector(): Promise<WorkflowHandle<typeof reportCollector>> {
    if (!this.collector) {
      this.collector = await this.client.workflow.start(reportCollector, {
        taskQueue: this.taskQueue,
        workflowId: `collector-${this.id}`,
      });
      this.started.push(this.collector);
    }
    return this.collector;
  }

  request(
    passId: string,
    settings: SourceSettings,
    mode: PassMode = 'delta',
    refetchContent = false,
  ): CrawlRequest {
    return { passId, replyTo: `collector-${this.id}`, mode, settings, refetchContent };
  }

  /** Starts the mailbox workflow with one request, as the pass would. */
  async startMailbox(
    address: string,
    request: CrawlRequest,
    tuning?: MailboxTuning,
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    await this.reportCollector();
    const domain = address.split('@')[1]!;
    const input: CrawlMailboxInput = {
      sourceId: this.sourceId,
      address,
      mailboxKey: address.toLowerCase(),
      domain,
      requests: [request],
      ...(tuning ? { tuning } : {}),
    };
    const handle = await this.client.workflow.start('crawlMailbox', {
      taskQueue: this.taskQueue,
      workflowId: mailboxWorkflowId(this.sourceId, address.toLowerCase()),
      args: [input],
    });
    this.started.push(handle);
    return handle;
  }

  /** Waits until the collector holds the `nth` (1-based) report of `passId`. */
  async waitForReport(passId: string, timeoutMs = 60_000, nth = 1): Promise<MailboxReport> {
    const collector = await this.reportCollector();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reports = await collector.query(collectedReportsQuery);
      const found = reports.filter((r) => r.passId === passId);
      if (found.length >= nth) return found[nth - 1]!;
      if (Date.now() > deadline) throw new Error(`no report for ${passId} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async reports(): Promise<MailboxReport[]> {
    return (await this.reportCollector()).query(collectedReportsQuery);
  }

  async refresh(): Promise<void> {
    await this.es.indices.refresh({ index: Object.values(indexNames(this.prefix)) });
  }

  /** Mimecast ids indexed for a mailbox view (after a refresh). */
  async indexedIds(mailbox: string, view: View): Promise<string[]> {
    await this.refresh();
    const response = await this.es.search<{ mimecastId: string }>({
      index: indexNames(this.prefix).messages,
      size: 10_000,
      _source: ['mimecastId'],
      query: {
        bool: {
          filter: [
            { term: { source: this.sourceId } },
            { term: { mailbox: mailbox.toLowerCase() } },
            { term: { view } },
          ],
        },
      },
    });
    return response.hits.hits.map((h) => h._source!.mimecastId).sort();
  }

  /** What the simulator holds for a mailbox view, sorted; expired/recalled ones only with expiredPolicy=keep. */
  /** The simulator's real mailboxes (not aliases or distribution lists), lower-cased and sorted. */
  realMailboxes(): string[] {
    return this.sim.control
      .listUsers()
      .filter((u) => !u.alias && u.addressType !== 'dl_from_ldap' && u.addressType !== 'created_by_email')
      .map((u) => u.emailAddress.toLowerCase())
      .sort();
  }

  expectedIds(mailbox: string, view: View, expiredPolicy: 'delete' | 'keep' = 'delete'): string[] {
    return this.sim.control
      .expectedMessages(mailbox, view)
      .filter((m) => expiredPolicy === 'keep' || (!m.expired && !m.recalled))
      .map((m) => m.id)
      .sort();
  }

  async failedIds(
    mailbox: string,
  ): Promise<{ mimecastId: string; view: string; reason: string; attempts: number }[]> {
    await this.refresh();
    const response = await this.es.search<{
      mimecastId: string;
      view: string;
      reason: string;
      attempts: number;
    }>({
      index: indexNames(this.prefix).failed,
      size: 1000,
      query: {
        bool: { filter: [{ term: { source: this.sourceId } }, { term: { mailbox: mailbox.toLowerCase() } }] },
      },
    });
    return response.hits.hits.map((h) => h._source!);
  }

  async teardown(): Promise<void> {
    for (const child of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const handle of this.started) {
      await handle.terminate('test teardown').catch(() => undefined);
    }
    await this.stopWorker();
    await removeIndexTemplates(this.es, this.prefix).catch(() => undefined);
    await this.sim?.close();
    await this.provider?.close();
    await this.pool?.close();
    await this.nativeConnection?.close();
    await this.connection?.close();
    await this.es?.close();
  }
}

export { collectedReportsQuery, stopCollectorSignal };
