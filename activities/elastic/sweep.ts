// The reconcile sweep (docs/architecture.md, Modes of a pass) and message removal: message documents of a
// view not seen by the pass are deleted with their attachments. Attachments are found by messageDocId (a seen
// message only gets its lastSeenPass updated, its attachments are not rewritten).
import type { Client } from '@elastic/elasticsearch';
import type { View } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';
import { BulkSink } from './bulk-sink';
import { deleteMatching, DeletionIncompleteError, type ScanDeleteOptions } from './scan-delete';

// Ids per batch: well under index.max_terms_count (65,536) and one bulk request each.
const BATCH = 1000;

/** Deletes the given message documents of a source and every attachment document linked to them. */
export async function deleteMessagesWithAttachments(
  es: Client,
  q: { prefix: string; source: string; messageDocIds: string[] },
  options: ScanDeleteOptions = {},
): Promise<{ messages: number; attachments: number }> {
  const names = indexNames(q.prefix);
  const sink = new BulkSink(es);
  let messages = 0;
  let attachments = 0;
  for (let i = 0; i < q.messageDocIds.length; i += BATCH) {
    const ids = q.messageDocIds.slice(i, i + BATCH);
    // Attachments first: a crash in between leaves messages to sweep again, never orphan attachments.
    const a = await deleteMatching(
      es,
      {
        index: [names.attachments],
        query: { bool: { filter: [{ term: { source: q.source } }, { terms: { messageDocId: ids } }] } },
      },
      options,
    );
    const result = await sink.write(
      ids.map((id) => ({ action: 'delete' as const, index: names.messages, id })),
    );
    if (result.failed.length) {
      throw new DeletionIncompleteError(
        `${result.failed.length} message deletes failed: ${result.failed[0]!.reason}`,
      );
    }
    attachments += a.deleted;
    messages += ids.length;
  }
  return { messages, attachments };
}

export interface SweepRequest {
  prefix: string;
  source: string;
  mailbox: string;
  view: View;
  passId: string;
}

/**
 * Deletes the view's messages whose lastSeenPass is not `passId`, batch by batch, with their
 * attachments. Needs the pass's lastSeenPass updates to be searchable: run it after the view's
 * pages (Elasticsearch refreshes every second by itself; production code never forces it).
 */
export async function sweepUnseenMessages(
  es: Client,
  request: SweepRequest,
  options: ScanDeleteOptions = {},
): Promise<{ deleted: number; attachmentsDeleted: number }> {
  const names = indexNames(request.prefix);
  let deleted = 0;
  let attachmentsDeleted = 0;
  // A cursor on mimecastId (unique in a view): deleted documents lie behind it, so the scan never
  // needs a refresh to stop seeing them.
  let searchAfter: string[] | undefined;
  for (;;) {
    const response = await es.search({
      index: names.messages,
      size: BATCH,
      _source: false,
      track_total_hits: false,
      sort: [{ mimecastId: 'asc' }],
      search_after: searchAfter,
      query: {
        bool: {
          filter: [
            { term: { source: request.source } },
            { term: { mailbox: request.mailbox } },
            { term: { view: request.view } },
          ],
          must_not: [{ term: { lastSeenPass: request.passId } }],
        },
      },
    });
    const hits = response.hits.hits;
    if (!hits.length) break;
    const result = await deleteMessagesWithAttachments(
      es,
      { prefix: request.prefix, source: request.source, messageDocIds: hits.map((h) => h._id!) },
      options,
    );
    deleted += result.messages;
    attachmentsDeleted += result.attachments;
    options.heartbeat?.({ deleted, batches: 0 });
    if (hits.length < BATCH) break;
    searchAfter = hits[hits.length - 1]!.sort as string[];
  }
  return { deleted, attachmentsDeleted };
}

/**
 * After re-indexing messages whose content was fetched again (refetch, retry-failed, changed
 * attachment settings): deletes their attachment documents that the new version no longer has.
 * One scan per page, not per message.
 */
export async function deleteStaleAttachments(
  es: Client,
  q: { prefix: string; source: string; messageDocIds: string[]; keepAttachmentIds: string[] },
  options: ScanDeleteOptions = {},
): Promise<number> {
  if (!q.messageDocIds.length) return 0;
  const result = await deleteMatching(
    es,
    {
      index: [indexNames(q.prefix).attachments],
      query: {
        bool: {
          filter: [{ term: { source: q.source } }, { terms: { messageDocId: q.messageDocIds } }],
          must_not: q.keepAttachmentIds.length ? [{ ids: { values: q.keepAttachmentIds } }] : [],
        },
      },
    },
    options,
  );
  return result.deleted;
}
