// The crawler's real worker process (workers/main.ts) as a child of the benchmark: its own task
// queue, the simulator's credentials in its environment, and its RSS sampled from /proc.
import { randomBytes } from 'node:crypto';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../common/node/defaults';
import { resolve } from 'node:path';
import { WORKER_NODE_OPTIONS } from '../workers/node-options';
import { spawnNode, spawnTsx, type TsxChild } from './child-process';

export interface WorkerProcess {
  taskQueue: string;
  child: TsxChild;
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  temporalAddress?: string;
  elasticsearchUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Extra environment (MAX_CONCURRENT_ACTIVITIES, LOG_LEVEL …). */
  env?: Record<string, string>;
  taskQueue?: string;
  /** Load this prebuilt workflow bundle (bench/prebuilt-worker.ts) instead of bundling at start-up. */
  workflowBundlePath?: string;
  /** Run the tsc build in this directory (bench/compiled-build.ts) with plain node, not the sources under tsx. */
  compiledDir?: string;
}

export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const taskQueue = o.taskQueue ?? `bench-${randomBytes(3).toString('hex')}`;
  const entry = o.workflowBundlePath ? 'bench/prebuilt-worker.ts' : 'workers/main.ts';
  const env = {
    TEMPORAL_ADDRESS: o.temporalAddress ?? process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ELASTICSEARCH_URL: o.elasticsearchUrl ?? process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL,
    MIMECAST_CLIENT_ID: o.clientId,
    MIMECAST_CLIENT_SECRET: o.clientSecret,
    MIMECAST_DEV_HOSTS: 'loopback',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...(o.workflowBundlePath ? { BENCH_WORKFLOW_BUNDLE: o.workflowBundlePath } : {}),
    // The heap limits the worker ships with (npm start, the Docker image), then the bench's extra
    // Node options of the workers only (BENCH_WORKER_NODE_OPTIONS: a later flag wins).
    NODE_OPTIONS: `${WORKER_NODE_OPTIONS} ${process.env.BENCH_WORKER_NODE_OPTIONS ?? ''}`.trim(),
    ...o.env,
  };
  const child = o.compiledDir
    ? spawnNode([resolve(o.compiledDir, entry.replace(/\.ts$/, '.js'))], env)
    : spawnTsx(entry, env);
  // Bundling the workflow code happens before this line; the crawl timings exclude it.
  await child.waitForLine((l) => l.msg === 'worker ready', 180_000);
  return {
    taskQueue,
    child,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
