// The worker's configuration from its environment (docs/architecture.md, Commands and environment). Secrets
// (TEMPORAL_API_KEY, the Elasticsearch credentials, MIMECAST_ADDRESS_HASH_KEY) are read here and never
// logged: see `describeConfig`.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import {
  describeElasticConnection,
  ElasticConnectionError,
  readElasticConnection,
  type ElasticConnection,
} from '../activities/elastic/connection';
import {
  DEFAULT_METRICS_PORT,
  DEFAULT_NAMESPACE,
  DEFAULT_TASK_QUEUE,
  DEFAULT_TEMPORAL_ADDRESS,
} from '../common/node/defaults';

export interface TemporalTlsConfig {
  /** PEM contents (not paths), read at start so a bad path fails fast. */
  clientCert?: Buffer;
  clientKey?: Buffer;
  serverRootCA?: Buffer;
  serverName?: string;
}

export interface WorkerConfig {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  tls?: TemporalTlsConfig;
  temporalApiKey?: string;
  /** ELASTICSEARCH_* variables, read by the connection module the CLI uses too. */
  elasticsearch: ElasticConnection;
  /** 0 = no metrics endpoint. */
  metricsPort: number;
  /** Where the SDK's own Prometheus exporter listens (proxied on metricsPort). */
  sdkMetricsPort: number;
  addressHashKey?: string;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /** Workflows kept in the worker's sticky cache (MAX_CACHED_WORKFLOWS); see defaultCachedWorkflows. */
  maxCachedWorkflows: number;
  /** Index prefixes whose templates are installed at start (others are ensured lazily by activities). */
  indexPrefixes: string[];
  /** ≥ the longest activity heartbeat timeout (60 s), so a shutdown lets activities heartbeat their way out. */
  shutdownGraceMs: number;
}

export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerConfigError';
  }
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new WorkerConfigError(`${name}: "${raw}" is not an integer ≥ ${min}`);
  return value;
}

function pemFrom(env: Env, name: string): Buffer | undefined {
  const path = env[name];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new WorkerConfigError(`${name}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Activity slots from the machine: pages are mostly waiting on the API and Elasticsearch, so many
 * per core (a mailbox runs a page of each view at once), bounded by memory (~64 MB budget each). A
 * worker with a free slot also takes the activities its workflow tasks schedule at once (eager
 * dispatch); a full one leaves them to the task queue: on latency-32, p8, 16 slots added ~300 ms per
 * page, 32 slots ~0 (BENCHMARKS.md, issue 14).
 */
export function defaultActivitySlots(cores = availableParallelism(), memoryBytes = totalmem()): number {
  const byCpu = cores * 16;
  const byMemory = Math.floor(memoryBytes / (64 * 1024 * 1024));
  return Math.max(4, Math.min(byCpu, byMemory, 200));
}

function elasticConnectionFrom(env: Env): ElasticConnection {
  try {
    return readElasticConnection(env);
  } catch (err) {
    if (err instanceof ElasticConnectionError) throw new WorkerConfigError(err.message);
    throw err;
  }
}

/** Worker memory per cached mailbox workflow, measured (BENCHMARKS.md, Steady state: 1.4 MB), rounded up. */
export const CACHED_WORKFLOW_BYTES = 1.5 * 1024 * 1024;

/**
 * Cached workflows from the V8 heap limit: half of it for the cache, 100–20,000. The cache lives in the
 * SDK's workflow thread, whose heap the same limit caps (workers/node-options.ts: 384 MB → 132). A cached
 * mailbox answers its next pass without replaying its history; with the pass's idle screen only active
 * mailboxes are woken, so the cache needs those (docs/deployment.md, Capacity of the steady state).
 */
export function defaultCachedWorkflows(heapLimitBytes: number): number {
  return Math.max(100, Math.min(20_000, Math.floor(heapLimitBytes / 2 / CACHED_WORKFLOW_BYTES)));
}

export function readWorkerConfig(env: Env = process.env): WorkerConfig {
  const clientCert = pemFrom(env, 'TEMPORAL_TLS_CERT');
  const clientKey = pemFrom(env, 'TEMPORAL_TLS_KEY');
  const serverRootCA = pemFrom(env, 'TEMPORAL_TLS_CA');
  if (Boolean(clientCert) !== Boolean(clientKey)) {
    throw new WorkerConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be given together (mTLS)');
  }
  const temporalApiKey = env.TEMPORAL_API_KEY || undefined;
  const wantsTls = Boolean(clientCert || serverRootCA || temporalApiKey || env.TEMPORAL_TLS === 'true');
  const metricsPort = intFrom(env, 'METRICS_PORT', DEFAULT_METRICS_PORT);
  return {
    temporalAddress: env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    ...(wantsTls
      ? {
          tls: {
            ...(clientCert ? { clientCert } : {}),
            ...(clientKey ? { clientKey } : {}),
            ...(serverRootCA ? { serverRootCA } : {}),
            ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverName: env.TEMPORAL_TLS_SERVER_NAME } : {}),
          },
        }
      : {}),
    ...(temporalApiKey ? { temporalApiKey } : {}),
    elasticsearch: elasticConnectionFrom(env),
    metricsPort,
    sdkMetricsPort: intFrom(env, 'SDK_METRICS_PORT', metricsPort === 0 ? 0 : metricsPort + 1),
    ...(env.MIMECAST_ADDRESS_HASH_KEY ? { addressHashKey: env.MIMECAST_ADDRESS_HASH_KEY } : {}),
    maxConcurrentActivityTaskExecutions: intFrom(env, 'MAX_CONCURRENT_ACTIVITIES', defaultActivitySlots(), 1),
    maxConcurrentWorkflowTaskExecutions: intFrom(env, 'MAX_CONCURRENT_WORKFLOW_TASKS', 40, 2),
    maxCachedWorkflows: intFrom(
      env,
      'MAX_CACHED_WORKFLOWS',
      defaultCachedWorkflows(getHeapStatistics().heap_size_limit),
      0,
    ),
    indexPrefixes: (env.INDEX_PREFIXES || 'mimecast')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    shutdownGraceMs: intFrom(env, 'SHUTDOWN_GRACE_SECONDS', 90, 1) * 1000,
  };
}

/** The configuration without secrets, for the start-up log line. */
export function describeConfig(config: WorkerConfig): Record<string, unknown> {
  return {
    temporalAddress: config.temporalAddress,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    tls: config.tls
      ? { mTLS: Boolean(config.tls.clientCert), customCA: Boolean(config.tls.serverRootCA) }
      : false,
    temporalApiKey: config.temporalApiKey ? '(set)' : undefined,
    elasticsearch: describeElasticConnection(config.elasticsearch),
    metricsPort: config.metricsPort,
    addressHashKey: config.addressHashKey ? '(set)' : undefined,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTaskExecutions,
    maxCachedWorkflows: config.maxCachedWorkflows,
    indexPrefixes: config.indexPrefixes,
    shutdownGraceMs: config.shutdownGraceMs,
  };
}
