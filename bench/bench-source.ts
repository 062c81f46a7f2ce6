// One benchmark source: unique source id and index prefix per scenario, settings against the
// simulator, and removal of what the scenario wrote (indices, templates).
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { randomBytes } from 'node:crypto';
import { parseSettingsLenient, type SourceSettings } from '../common/settings';
import { ensureIndexTemplates, removeIndexTemplates } from '../activities/elastic/index-templates';

export interface BenchSourceOptions {
  /** Simulator base URL. */
  apiUrl: string;
  /** Only messages received in the last N days (a documented fraction of a preset); default: all. */
  lastDays?: number;
  attachments: boolean;
  parallelism: number;
  pageSize?: number;
  /** performance.pageConcurrency (default: the setting's default). */
  pageConcurrency?: number;
}

export interface BenchSource {
  sourceId: string;
  prefix: string;
  settings: SourceSettings;
  /** Drops the scenario's indices and templates. */
  remove(es: ElasticClient): Promise<void>;
}

/** Far enough back to include every message of every preset (huge-mailbox spans 1,095 days). */
const ALL_HISTORY_DAYS = 1500;

export async function createBenchSource(
  es: ElasticClient,
  label: string,
  o: BenchSourceOptions,
): Promise<BenchSource> {
  const id = randomBytes(3).toString('hex');
  const slug = label.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const sourceId = `bench-${slug}-${id}`;
  const prefix = `bench-${slug}-${id}`;
  const startDate = new Date(Date.now() - (o.lastDays ?? ALL_HISTORY_DAYS) * 86_400_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const settings = parseSettingsLenient({
    sourceId,
    connection: { apiEndpoint: o.apiUrl, authEndpoint: `${o.apiUrl}/oauth/token` },
    // The presets put mailboxes on a domain flagged local: include it like every other.
    domains: { includeLocal: true },
    messages: { startDate },
    attachments: { extract: o.attachments },
    parallelism: { mailboxCrawling: o.parallelism },
    performance: {
      pageSize: o.pageSize ?? 100,
      ...(o.pageConcurrency ? { pageConcurrency: o.pageConcurrency } : {}),
    },
    index: { prefix },
    logging: { statsIntervalSeconds: 0 },
  });
  await ensureIndexTemplates(es, prefix);
  return { sourceId, prefix, settings, remove: (client) => removeIndexTemplates(client, prefix) };
}
