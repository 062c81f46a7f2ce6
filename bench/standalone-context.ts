// The clients, logger and prebuilt workflow bundle that a stand-alone bench script (`npx tsx bench/…`) opens.
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../common/node/defaults';
import type { BenchContext } from './bench-context';
import { buildWorkflowBundle } from './workflow-bundle';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StandaloneContext {
  ctx: BenchContext;
  es: ElasticClient;
  client: TemporalClient;
  close(): Promise<void>;
}

export async function openStandaloneContext(): Promise<StandaloneContext> {
  const es = new ElasticClient({ node: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL });
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
  });
  const client = new TemporalClient({ connection });
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const ctx = { es, temporal: client, log, keep: false, workflowBundlePath: await buildWorkflowBundle() };
  return {
    ctx,
    es,
    client,
    async close() {
      await connection.close();
      await es.close();
    },
  };
}
