// Reads what `status` and `retry-failed` need from Elasticsearch: the mailbox registry and the
// failed-item counts of one source. A missing index means "nothing yet", not an error.
import type { Client } from '@elastic/elasticsearch';
import { indexNames, type RegistryDocument } from '../common/node/documents';

function isIndexMissing(err: unknown): boolean {
  const meta = (err as { meta?: { statusCode?: number; body?: { error?: { type?: string } } } }).meta;
  return meta?.statusCode === 404 || meta?.body?.error?.type === 'index_not_found_exception';
}

export async function readRegistry(
  elastic: Client,
  prefix: string,
  sourceId: string,
  address?: string,
): Promise<RegistryDocument[]> {
  const rows: RegistryDocument[] = [];
  let searchAfter: (string | number)[] | undefined;
  const filter: object[] = [{ term: { source: sourceId } }];
  if (address) filter.push({ term: { address: address.toLowerCase() } });
  try {
    for (;;) {
      const page = await elastic.search<RegistryDocument>({
        index: indexNames(prefix).mailboxes,
        query: { bool: { filter } },
        sort: [{ address: 'asc' }],
        size: 1000,
        search_after: searchAfter,
      });
      const hits = page.hits.hits;
      for (const hit of hits) if (hit._source) rows.push(hit._source);
      if (hits.length < 1000) return rows;
      searchAfter = hits[hits.length - 1].sort as (string | number)[];
    }
  } catch (err) {
    if (isIndexMissing(err)) return rows;
    throw err;
  }
}

/** Failed items per mailbox (the `mailbox` field of `<prefix>-failed`). */
export async function failedItemCounts(
  elastic: Client,
  prefix: string,
  sourceId: string,
  mailbox?: string,
): Promise<Map<string, number>> {
  const filter: object[] = [{ term: { source: sourceId } }];
  if (mailbox) filter.push({ term: { mailbox: mailbox.toLowerCase() } });
  try {
    const result = await elastic.search({
      index: indexNames(prefix).failed,
      size: 0,
      query: { bool: { filter } },
      aggs: { mailboxes: { terms: { field: 'mailbox', size: 10_000 } } },
    });
    const buckets =
      (result.aggregations?.mailboxes as { buckets?: { key: string; doc_count: number }[] } | undefined)
        ?.buckets ?? [];
    return new Map(buckets.map((b) => [String(b.key), b.doc_count]));
  } catch (err) {
    if (isIndexMissing(err)) return new Map();
    throw err;
  }
}
