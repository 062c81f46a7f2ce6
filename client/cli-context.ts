// What every command gets: the environment, where to write, and lazily opened clients (so
// `--help`, `validate` and `schedule` problems never wait on a server that is not needed).
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient, Connection } from '@temporalio/client';
import type { CliIo } from './cli-io';
import { createElasticClient } from './elastic-connection';
import type { CliEnvironment } from './environment';
import { connectTemporal } from './temporal-connection';

export interface CliContext {
  env: CliEnvironment;
  io: CliIo;
  temporal(): Promise<TemporalClient>;
  elastic(): ElasticClient;
  /** Progress poll period of `crawl --wait` (tests shorten it). */
  pollIntervalMs: number;
  close(): Promise<void>;
}

export function createCliContext(
  env: CliEnvironment,
  io: CliIo,
  overrides: Partial<CliContext> = {},
): CliContext {
  let temporal: Promise<{ client: TemporalClient; connection: Connection }> | undefined;
  let elastic: ElasticClient | undefined;
  const context: CliContext = {
    env,
    io,
    pollIntervalMs: 1000,
    temporal: async () => {
      temporal ??= connectTemporal(env);
      return (await temporal).client;
    },
    elastic: () => (elastic ??= createElasticClient(env)),
    close: async () => {
      if (temporal) await (await temporal.catch(() => undefined))?.connection.close();
      if (elastic) await elastic.close();
    },
  };
  return { ...context, ...overrides };
}
