// Elasticsearch client for the CLI's read-only views (status, retry-failed, demo), connected as the
// worker connects (activities/elastic/connection.ts reads the ELASTICSEARCH_* variables for both).
import type { Client } from '@elastic/elasticsearch';
import { createElasticClient as connect } from '../activities/elastic/connection';
import type { CliEnvironment } from './environment';

export function createElasticClient(env: CliEnvironment): Client {
  return connect(env.elasticsearch, { requestTimeout: 15_000, maxRetries: 1 });
}
