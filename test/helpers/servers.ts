// Where integration tests find the real Temporal and Elasticsearch (started by scripts/services.sh
// or .ci/run), and private instances for the fault suite, driven through the provisioning scripts.
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_ELASTICSEARCH_URL,
  DEFAULT_NAMESPACE,
  DEFAULT_TEMPORAL_ADDRESS,
} from '../../common/node/defaults';

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../../scripts');

export function temporalAddress(): string {
  return process.env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS;
}

export function elasticsearchUrl(): string {
  return process.env.ELASTICSEARCH_URL || DEFAULT_ELASTICSEARCH_URL;
}

/** A test environment on the shared dev server; close it with `env.teardown()`. */
export function connectTemporal(address = temporalAddress()): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address,
    namespace: process.env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
  });
}

/** Close it with `client.close()`. The integ-test node has no `GET /`: use cluster.health, not info(). */
export function elasticClient(url = elasticsearchUrl()): ElasticClient {
  return new ElasticClient({ node: url });
}

export interface PrivateServer {
  /** `host:port` for Temporal, `http://host:port` for Elasticsearch. */
  readonly address: string;
  /** Clean shutdown; the data folder stays, so `restart()` resumes from it. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Start again on the same ports and data (after stop or kill), waiting until healthy. */
  restart(): Promise<void>;
}

async function script(name: string, verb: string, args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run('bash', [path.join(SCRIPTS, name), verb, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 << 20,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/${name} ${verb} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

function privateServer(name: string, args: string[], startTimeoutMs: number): Promise<PrivateServer> {
  const start = () => script(name, 'start', args, startTimeoutMs);
  return start().then((address) => ({
    address,
    stop: async () => void (await script(name, 'stop', args, 90_000)),
    kill: async () => void (await script(name, 'kill', args, 30_000)),
    restart: async () => void (await start()),
  }));
}

/** A Temporal dev server of the test's own (fault suites): its own ports and SQLite file. */
export function startPrivateTemporal(opts: {
  port: number;
  uiPort: number;
  dataDir: string;
}): Promise<PrivateServer> {
  const args = [
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--data',
    opts.dataDir,
    '--name',
    `private-${opts.port}`,
  ];
  return privateServer('temporal.sh', args, 120_000);
}

/** An Elasticsearch node of the test's own (fault suites); booting takes 30–60 s on 2 cores. */
export function startPrivateElasticsearch(opts: {
  port: number;
  transportPort: number;
  dataDir: string;
}): Promise<PrivateServer> {
  const args = [
    '--port',
    String(opts.port),
    '--transport-port',
    String(opts.transportPort),
    '--data',
    opts.dataDir,
    '--name',
    `private-${opts.port}`,
  ];
  return privateServer('elasticsearch.sh', args, 240_000);
}
