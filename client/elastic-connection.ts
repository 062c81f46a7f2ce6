// Elasticsearch client for the CLI's read-only views (status, retry-failed, demo).
import { Client } from '@elastic/elasticsearch';
import type { CliEnvironment } from './environment';

export function createElasticClient(env: CliEnvironment): Client {
  return new Client({
    node: env.elasticsearchUrl,
    auth: env.elasticsearchApiKey ? { apiKey: env.elasticsearchApiKey } : undefined,
    requestTimeout: 15_000,
    maxRetries: 1,
  });
}
