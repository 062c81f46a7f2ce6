// Deletes every document that matches a query across indices: a point-in-time scan and bulk deletes in
// batches, with a heartbeat after each batch and cancellation between batches. Not _delete_by_query: that
// lives in the `reindex` module, which the integ-test distribution (docs/architecture.md, Components) and
// some managed clusters lack; this works on every Elasticsearch 8 node.
import type { Client } from '@elastic/elasticsearch';
import { BulkSink, type BulkOp } from './bulk-sink';

export interface ScanDeleteProgress {
  deleted: number;
  batches: number;
}

export interface ScanDeleteOptions {
  /** Called after every batch (an activity heartbeats here). */
  heartbeat?: (progress: ScanDeleteProgress) => void;
  signal?: AbortSignal;
  batchSize?: number;
}

export class DeletionIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeletionIncompleteError';
  }
}

export async function deleteMatching(
  es: Client,
  request: { index: string[]; query: object },
  options: ScanDeleteOptions = {},
): Promise<ScanDeleteProgress> {
  const batchSize = options.batchSize ?? 1000;
  const sink = new BulkSink(es);
  const progress: ScanDeleteProgress = { deleted: 0, batches: 0 };
  const opened = await es.openPointInTime({
    index: request.index,
    keep_alive: '2m',
    ignore_unavailable: true,
  });
  let pitId = opened.id;
  try {
    let searchAfter: (string | number)[] | undefined;
    for (;;) {
      if (options.signal?.aborted)
        throw new DeletionIncompleteError(`cancelled after deleting ${progress.deleted} documents`);
      const page = await es.search({
        pit: { id: pitId, keep_alive: '2m' },
        size: batchSize,
        _source: false,
        track_total_hits: false,
        sort: [{ _shard_doc: 'asc' }],
        search_after: searchAfter,
        query: request.query,
      });
      pitId = page.pit_id ?? pitId;
      const hits = page.hits.hits;
      if (!hits.length) break;
      const ops: BulkOp[] = hits.map((hit) => ({ action: 'delete', index: hit._index, id: hit._id! }));
      const result = await sink.write(ops);
      if (result.failed.length) {
        const first = result.failed[0]!;
        throw new DeletionIncompleteError(
          `${result.failed.length} deletes failed, e.g. ${first.index}/${first.id}: ${first.reason}`,
        );
      }
      progress.deleted += hits.length;
      progress.batches++;
      options.heartbeat?.({ ...progress });
      if (hits.length < batchSize) break;
      searchAfter = hits[hits.length - 1]!.sort as (string | number)[];
    }
  } finally {
    await es.closePointInTime({ id: pitId }).catch(() => undefined);
  }
  return progress;
}
