// What every bench scenario shares: the clients, the simulator credential, worker processes, plain-loop deps.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient } from '@temporalio/client';
import { MimecastClientProvider } from '../activities/mimecast/client-provider';
import { ExtractionPool } from '../activities/extract/extraction-pool';
import type { ActivityDeps } from '../activities/deps';
import type { Logger } from '../activities/ports';
import type { BenchSource } from './bench-source';
import { pidOfPort } from './child-process';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../common/node/defaults';
import { terminateSourceWorkflows } from './workflow-histories';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

export const SIM_CREDENTIAL = { clientId: 'sim-client', clientSecret: 'sim-secret' };
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface BenchContext {
  es: ElasticClient;
  temporal: TemporalClient;
  log: (line: string) => void;
  /** Keep indices and workflows afterwards (to inspect them). */
  keep: boolean;
  /** Prebuilt workflow bundle for the worker processes; undefined = workers/main.ts bundles at start-up. */
  workflowBundlePath?: string;
  /** The tsc build the worker processes run (bench/compiled-build.ts); undefined = sources under tsx. */
  compiledDir?: string;
}

export function startWorker(ctx: BenchContext, env: Record<string, string> = {}): Promise<WorkerProcess> {
  return startWorkerProcess({
    ...SIM_CREDENTIAL,
    env,
    ...(ctx.workflowBundlePath ? { workflowBundlePath: ctx.workflowBundlePath } : {}),
    ...(ctx.compiledDir ? { compiledDir: ctx.compiledDir } : {}),
  });
}

/** The shared servers' processes, to account their CPU (undefined when not local). */
export function serverPids(): Record<string, number | undefined> {
  const temporalPort = Number((process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS).split(':').pop());
  const esPort = Number(new URL(process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL).port || 9200);
  return { temporal: pidOfPort(temporalPort), elasticsearch: pidOfPort(esPort) };
}

/** Plain-loop dependencies: the same classes the worker wires, in this process. */
export function plainDeps(es: ElasticClient): { deps: ActivityDeps; close(): Promise<void> } {
  const mimecast = new MimecastClientProvider({
    env: {
      MIMECAST_CLIENT_ID: SIM_CREDENTIAL.clientId,
      MIMECAST_CLIENT_SECRET: SIM_CREDENTIAL.clientSecret,
      MIMECAST_DEV_HOSTS: 'loopback',
    },
    logger: quiet,
  });
  const extraction = new ExtractionPool();
  return {
    deps: { elastic: es, mimecast, extraction, logger: quiet },
    async close() {
      await mimecast.close();
      await extraction.close();
    },
  };
}

export async function withSources<T>(
  ctx: BenchContext,
  body: (track: (s: BenchSource) => BenchSource) => Promise<T>,
): Promise<T> {
  const sources: BenchSource[] = [];
  try {
    return await body((s) => {
      sources.push(s);
      return s;
    });
  } finally {
    if (!ctx.keep) {
      for (const s of sources) {
        await terminateSourceWorkflows(ctx.temporal, s.sourceId).catch(() => undefined);
        await s.remove(ctx.es).catch(() => undefined);
      }
    }
  }
}
