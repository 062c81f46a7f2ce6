// A crawler worker in its own process, for tests that SIGKILL it mid-page. Configured by the
// WORKER_PROCESS_CONFIG environment variable (JSON); prints "ready" once it polls its task queue.
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Logger } from '../../activities/ports';
import { ExtractionPool } from '../../activities/extract/extraction-pool';
import { MimecastClientProvider } from '../../activities/mimecast/client-provider';

export interface WorkerProcessConfig {
  temporalAddress: string;
  elasticsearchUrl: string;
  taskQueue: string;
  clientId: string;
  clientSecret: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.WORKER_PROCESS_CONFIG ?? '{}') as WorkerProcessConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  const connection = await Connection.connect({ address: config.temporalAddress });
  const deps = {
    elastic: new ElasticClient({ node: config.elasticsearchUrl }),
    // The pass activities describe and stop mailbox workflows (a pass may run on this worker).
    temporal: new Client({ connection, namespace: 'default' }),
    mimecast: new MimecastClientProvider({
      env: {
        MIMECAST_CLIENT_ID: config.clientId,
        MIMECAST_CLIENT_SECRET: config.clientSecret,
        MIMECAST_DEV_HOSTS: 'loopback',
      },
      logger,
    }),
    extraction: new ExtractionPool({ threads: 1 }),
    logger,
  };
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.temporalAddress }),
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('./test-workflows'),
    activities: createActivities(deps),
    maxHeartbeatThrottleInterval: '500ms',
    defaultHeartbeatThrottleInterval: '500ms',
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
