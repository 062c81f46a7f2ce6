// The failed-item index (docs/architecture.md, Error scopes, item kind): record a failure (attempts++,
// firstFailedAt kept), clear it when the item later succeeds, and list a mailbox's failures for retry-failed.
import type { Client } from '@elastic/elasticsearch';
import type { View } from '../../common/contracts';
import { indexNames, type FailedItemDocument, type ListedMetadata } from '../../common/node/documents';
import type { BulkOp } from './bulk-sink';
import { failedDocId } from './document-ids';

export interface FailedItem {
  source: string;
  mailbox: string;
  view: View;
  mimecastId: string;
  received?: string;
  reason: string;
  /**
   * An ErrorKind, or a finer reason class (`extraction`, `oversize`, `worker-stopped`,
   * `index-rejected`, `invalid-record`).
   */
  kind: string;
  listed?: ListedMetadata;
}

/** The list record's metadata worth keeping with a failure (see ListedMetadata). */
export function listedMetadataOf(record: ListedMetadata): ListedMetadata {
  const listed: ListedMetadata = {
    subject: record.subject,
    to: record.to,
    size: record.size,
    attachmentCount: record.attachmentCount,
  };
  if (record.from) listed.from = record.from;
  if (record.expired) listed.expired = true;
  if (record.recalled) listed.recalled = true;
  return listed;
}

// Reasons can be long stack-ish texts; the index keeps the start, which says what happened.
const MAX_REASON = 4000;

/**
 * Records a failure: attempts 1 and firstFailedAt = at the first time; later, the stored
 * attempts + 1 with firstFailedAt (and a known received) kept — merged by the sink from the
 * stored document (no script: Painless may be missing).
 */
export function recordFailedItemOp(prefix: string, item: FailedItem, at: string): BulkOp {
  const doc: FailedItemDocument = {
    ...item,
    reason: item.reason.slice(0, MAX_REASON),
    attempts: 1,
    firstFailedAt: at,
    lastFailedAt: at,
  };
  if (!doc.received) delete doc.received;
  if (!doc.listed) delete doc.listed;
  return {
    action: 'index',
    index: indexNames(prefix).failed,
    id: failedDocId(item),
    doc,
    merge: (stored, fresh) =>
      mergeFailure(stored as FailedItemDocument | undefined, fresh as FailedItemDocument),
  };
}

export function mergeFailure(
  stored: FailedItemDocument | undefined,
  fresh: FailedItemDocument,
): FailedItemDocument {
  if (!stored) return fresh;
  const merged: FailedItemDocument = {
    ...fresh,
    attempts: (stored.attempts ?? 0) + 1,
    firstFailedAt: stored.firstFailedAt ?? fresh.firstFailedAt,
  };
  const received = fresh.received ?? stored.received;
  if (received) merged.received = received;
  const listed = fresh.listed ?? stored.listed;
  if (listed) merged.listed = listed;
  return merged;
}

/** Removes the failure of an item that was indexed now (a delete of nothing is not an error). */
export function clearFailedItemOp(
  prefix: string,
  key: { source: string; mailbox: string; view: View; mimecastId: string },
): BulkOp {
  return { action: 'delete', index: indexNames(prefix).failed, id: failedDocId(key) };
}

export interface ListFailedItemsQuery {
  prefix: string;
  source: string;
  mailbox: string;
  /** Only items that failed fewer than this many times (bounded retries). */
  maxAttempts?: number;
  size?: number;
  searchAfter?: (string | number)[];
}

export interface FailedItemsPage {
  items: (FailedItemDocument & { id: string })[];
  nextSearchAfter?: (string | number)[];
}

export async function listFailedItems(es: Client, query: ListFailedItemsQuery): Promise<FailedItemsPage> {
  const size = query.size ?? 500;
  const filter: object[] = [{ term: { source: query.source } }, { term: { mailbox: query.mailbox } }];
  if (query.maxAttempts !== undefined) filter.push({ range: { attempts: { lt: query.maxAttempts } } });
  const response = await es.search<FailedItemDocument>({
    index: indexNames(query.prefix).failed,
    size,
    sort: [{ view: 'asc' }, { mimecastId: 'asc' }],
    search_after: query.searchAfter,
    query: { bool: { filter } },
  });
  const hits = response.hits.hits;
  const last = hits[hits.length - 1];
  return {
    items: hits.map((hit) => ({ ...hit._source!, id: hit._id! })),
    nextSearchAfter: hits.length === size && last ? (last.sort as (string | number)[]) : undefined,
  };
}

export async function countFailedItems(es: Client, q: { prefix: string; source: string; mailbox?: string }) {
  const filter: object[] = [{ term: { source: q.source } }];
  if (q.mailbox) filter.push({ term: { mailbox: q.mailbox } });
  const response = await es.count({ index: indexNames(q.prefix).failed, query: { bool: { filter } } });
  return response.count;
}
