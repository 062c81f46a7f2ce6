// The worker process (docs/architecture.md, Commands and environment): registers the workflows and
// `createActivities(real deps)`, installs the index templates, serves Prometheus metrics and shuts down
// gracefully. Temporal outages: the SDK core retries its polls and completions forever (backoff ≤ 10 s), so
// the worker rides out an outage and resumes; only a fatal worker error ends the process, with exit status 1,
// for its supervisor to restart it.
import { ContentCache } from '../activities/extract/content-cache';
import { createElasticClient, elasticConnectionHint } from '../activities/elastic/connection';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogEntry,
  type LogLevel,
  type WorkerOptions,
} from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import type { Logger } from '../activities/ports';
import { ExtractionPool } from '../activities/extract/extraction-pool';
import { ensureIndexTemplatesOnce } from '../activities/index-templates-once';
import { MimecastClientProvider } from '../activities/mimecast/client-provider';
import { codecDataConverter } from '../codec/data-converter';
import { activityMetricsInterceptor } from './activity-metrics-interceptor';
import { PrometheusCrawlMetrics, portOrFree, serveMetrics, type MetricsServer } from './metrics';
import { describeConfig, readWorkerConfig, type WorkerConfig } from './worker-config';
import { getHeapStatistics } from 'node:v8';
import { heapLimitGiven, WORKER_NODE_OPTIONS } from './node-options';

type Env = Record<string, string | undefined>;

export interface CreateWorkerOptions {
  /** Environment for the configuration and the Mimecast credentials (default process.env). */
  env?: Env;
  /** Overrides of what the environment says (tests: a unique task queue, metricsPort 0 …). */
  config?: Partial<WorkerConfig>;
  /** An existing connection (tests share one); otherwise one is opened from the config. */
  connection?: NativeConnection;
  /** Overrides of the real dependencies (tests: a provider bound to the simulator's credentials). */
  deps?: Partial<ActivityDeps>;
  /** A pre-built bundle (tests build it once per file); default: bundle `workflowsPath`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workflowsPath?: string;
  logger?: Logger;
  /** Serve /metrics on config.metricsPort (default: when metricsPort > 0). */
  serveMetrics?: boolean;
  /** Where the SDK's Prometheus exporter answers, when Runtime.install set one up (proxied on /metrics). */
  sdkMetricsUrl?: string;
}

export interface CrawlerWorker {
  worker: Worker;
  deps: ActivityDeps;
  config: WorkerConfig;
  metrics: PrometheusCrawlMetrics;
  metricsServer?: MetricsServer;
  /** Runs until shutdown, then releases everything createWorker opened. */
  run(): Promise<void>;
  shutdown(): void;
}

export const DEFAULT_WORKFLOWS_PATH = require.resolve('../workflows');

export function createLogger(env: Env = process.env): Logger {
  return pino({
    level: env.LOG_LEVEL || 'info',
    // Belt and braces: the client redacts at the source; these keys never reach a log line anyway.
    redact: ['clientSecret', 'client_secret', 'authorization', 'Authorization', 'accessToken', 'apiKey'],
  });
}

function temporalTls(config: WorkerConfig): TLSConfig | undefined {
  if (!config.tls) return undefined;
  const { clientCert, clientKey, serverRootCA, serverName } = config.tls;
  return {
    ...(clientCert && clientKey ? { clientCertPair: { crt: clientCert, key: clientKey } } : {}),
    ...(serverRootCA ? { serverRootCACertificate: serverRootCA } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
}

function temporalConnectionOptions(config: WorkerConfig) {
  const tls = temporalTls(config);
  return {
    address: config.temporalAddress,
    ...(tls ? { tls } : {}),
    ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
  };
}

function contentCacheFromEnv(env: NodeJS.ProcessEnv): ContentCache | undefined {
  const mb = Number(env.CONTENT_CACHE_MB ?? 0);
  return mb > 0 ? new ContentCache(mb * 1024 * 1024) : undefined;
}

/** Builds a worker with real dependencies; used by `runWorker`, the tests, the demo and the benchmark. */
export async function createWorker(options: CreateWorkerOptions = {}): Promise<CrawlerWorker> {
  const env = options.env ?? process.env;
  const config: WorkerConfig = { ...readWorkerConfig(env), ...options.config };
  const logger = options.logger ?? options.deps?.logger ?? createLogger(env);
  const metrics = new PrometheusCrawlMetrics({ processMetrics: options.serveMetrics !== false });

  const opened: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close().catch((err) => logger.warn({ err }, 'close failed'));
  };
  try {
    const elastic = options.deps?.elastic ?? createElasticClient(config.elasticsearch);
    if (!options.deps?.elastic) opened.push(() => elastic.close());
    const mimecast = options.deps?.mimecast ?? new MimecastClientProvider({ env, logger, metrics });
    if (!options.deps?.mimecast) opened.push(() => mimecast.close());
    const extraction = options.deps?.extraction ?? new ExtractionPool();
    if (!options.deps?.extraction) opened.push(() => extraction.close());
    // Payloads leave the worker encrypted when it has codec keys (codec/encryption-keys.ts).
    const dataConverter = codecDataConverter(env);
    if (!dataConverter.payloadCodecs)
      logger.warn(
        { setting: 'PAYLOAD_CODEC_KEYS' },
        'no payload codec keys: workflow histories hold payloads in clear text',
      );
    let temporal = options.deps?.temporal;
    if (!temporal) {
      const clientConnection = await Connection.connect(temporalConnectionOptions(config));
      opened.push(() => clientConnection.close());
      temporal = new TemporalClient({
        connection: clientConnection,
        namespace: config.namespace,
        dataConverter,
      });
    }
    const contentCache = options.deps?.contentCache ?? contentCacheFromEnv(env);
    const deps: ActivityDeps = {
      ...options.deps,
      elastic,
      mimecast,
      extraction,
      temporal,
      logger,
      metrics: options.deps?.metrics ?? metrics,
      // Opt-in (CONTENT_CACHE_MB): a message that sits in many mailboxes is then fetched once per worker.
      ...(contentCache ? { contentCache } : {}),
      ...(config.addressHashKey ? { addressHashKey: config.addressHashKey } : {}),
    };

    // Templates for the prefixes the worker knows; other prefixes are ensured lazily by the activities.
    for (const prefix of config.indexPrefixes) {
      await ensureIndexTemplatesOnce(elastic, prefix).catch((err: Error) => {
        const hint = elasticConnectionHint(err);
        throw hint ? new Error(`${hint} (${err.message})`, { cause: err }) : err;
      });
    }

    const connection =
      options.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
    if (!options.connection) opened.push(() => connection.close());

    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : env.WORKFLOW_BUNDLE_PATH
          ? { workflowBundle: { codePath: env.WORKFLOW_BUNDLE_PATH } }
          : { workflowsPath: options.workflowsPath ?? DEFAULT_WORKFLOWS_PATH }),
      activities: createActivities(deps),
      dataConverter,
      interceptors: { activity: [activityMetricsInterceptor(deps.metrics ?? metrics)] },
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTaskExecutions,
      maxCachedWorkflows: config.maxCachedWorkflows,
      // Longer than the longest heartbeat timeout, so running pages finish or heartbeat out cleanly.
      shutdownGraceTime: config.shutdownGraceMs,
      // Heartbeats must reach the server within a second: after a crash the page resumes from the
      // last one, and a late one would blame the wrong message as the one in flight.
      maxHeartbeatThrottleInterval: '1s',
      defaultHeartbeatThrottleInterval: '1s',
      // A busy worker must keep its cached pass: a sticky timeout sends the task elsewhere as a full replay.
      stickyQueueScheduleToStartTimeout: '30s',
    });

    let metricsServer: MetricsServer | undefined;
    if (options.serveMetrics ?? config.metricsPort > 0) {
      metricsServer = await serveMetrics(metrics, config.metricsPort, options.sdkMetricsUrl);
      opened.push(() => metricsServer!.close());
      if (config.metricsPort > 0 && metricsServer.port !== config.metricsPort)
        logger.warn(
          { wanted: config.metricsPort, metricsPort: metricsServer.port },
          `metrics port ${config.metricsPort} is taken (another worker on this host?): serving /metrics on ${metricsServer.port}`,
        );
    }
    const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    logger.info(
      { config: describeConfig(config), metricsPort: metricsServer?.port, heapLimitMb },
      'worker ready',
    );

    return {
      worker,
      deps,
      config,
      metrics,
      ...(metricsServer ? { metricsServer } : {}),
      run: async () => {
        try {
          await worker.run();
        } finally {
          await closeAll();
        }
      },
      shutdown: () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The SDK's own log lines go through the worker's structured logger (WARN and above by default). */
function sdkLogger(logger: Logger, env: Env): DefaultLogger {
  const level = (env.SDK_LOG_LEVEL || 'WARN') as LogLevel;
  return new DefaultLogger(level, (entry: LogEntry) => {
    const method =
      entry.level === 'TRACE' || entry.level === 'DEBUG'
        ? 'debug'
        : (entry.level.toLowerCase() as 'info' | 'warn' | 'error');
    logger[method]({ sdk: true, ...entry.meta }, entry.message);
  });
}

/** The `worker` command: returns the process exit status (0 after a graceful shutdown, 1 on a fatal error). */
export async function runWorker(env: Env = process.env): Promise<number> {
  const logger = createLogger(env);
  let config: WorkerConfig;
  try {
    config = readWorkerConfig(env);
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'invalid worker configuration');
    return 1;
  }
  let sdkMetricsUrl: string | undefined;
  const withSdkMetrics = config.metricsPort > 0 && config.sdkMetricsPort > 0;
  // The SDK's exporter cannot move once installed: a port taken by another worker is swapped first.
  const sdkMetricsPort = withSdkMetrics ? await portOrFree(config.sdkMetricsPort) : 0;
  if (withSdkMetrics && sdkMetricsPort !== config.sdkMetricsPort)
    logger.warn(
      { wanted: config.sdkMetricsPort, sdkMetricsPort },
      `SDK metrics port ${config.sdkMetricsPort} is taken (another worker on this host?): the SDK exporter uses ${sdkMetricsPort}`,
    );
  const bindAddress = `127.0.0.1:${sdkMetricsPort}`;
  // Must precede every connection; SIGINT/SIGTERM make the runtime shut the worker down gracefully.
  Runtime.install({
    logger: sdkLogger(logger, env),
    ...(withSdkMetrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  if (withSdkMetrics) sdkMetricsUrl = `http://${bindAddress}/metrics`;
  if (!heapLimitGiven())
    logger.warn(
      { recommended: WORKER_NODE_OPTIONS },
      `no V8 heap limit given: the worker holds more garbage between collections (docs/deployment.md, Memory); start it with NODE_OPTIONS="${WORKER_NODE_OPTIONS}" as npm start and the Docker image do`,
    );
  try {
    const crawler = await createWorker({ env, config, logger, ...(sdkMetricsUrl ? { sdkMetricsUrl } : {}) });
    await crawler.run();
    logger.info({}, 'worker stopped');
    return 0;
  } catch (err) {
    logger.error({ err: (err as Error).message, stack: (err as Error).stack }, 'worker failed');
    return 1;
  }
}

if (require.main === module) {
  runWorker().then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
