// The reconcile sweep (design §2.4) and message removal: message documents of a view not seen by
// the pass are deleted with their attachments. Attachments are found by messageDocId (a seen
// message only gets its lastSeenPass updated, its attachments are not rewritten).
import type { Client } from '@elastic/elasticsearch';
import type { View } from '../../common/contracts';
import { indexNames } from '../../common/documents';
import { deleteByQueryAsTask, type TaskPollOptions } from './task-poller';

// Terms per delete-by-query: well under index.max_terms_count (65,536).
const BATCH = 1000;

/** Deletes the given message documents of a source and every attachment document linked to them. */
export async function deleteMessagesWithAttachments(
  es: Client,
  q: { prefix: string; source: string; messageDocIds: string[] },
  options: TaskPollOptions = {},
): Promise<{ messages: number; attachments: number }> {
  const names = indexNames(q.prefix);
  let messages = 0;
  let attachments = 0;
  for (let i = 0; i < q.messageDocIds.length; i += BATCH) {
    const ids = q.messageDocIds.slice(i, i + BATCH);
    // Attachments first: a crash in between leaves messages to sweep again, never orphan attachments.
    const a = await deleteByQueryAsTask(
      es,
      {
        index: [names.attachments],
        query: { bool: { filter: [{ term: { source: q.source } }, { terms: { messageDocId: ids } }] } },
      },
      options,
    );
    const m = await deleteByQueryAsTask(
      es,
      {
        index: [names.messages],
        query: { bool: { filter: [{ term: { source: q.source } }, { ids: { values: ids } }] } },
      },
      options,
    );
    attachments += a.deleted;
    messages += m.deleted;
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
 * Deletes the view's messages whose lastSeenPass is not `passId`, page by page (search_after on
 * mimecastId), with their attachments. Needs the pass's lastSeenPass updates to be searchable:
 * the caller runs it after the view's pages (Elasticsearch refreshes every second by itself).
 */
export async function sweepUnseenMessages(
  es: Client,
  request: SweepRequest,
  options: TaskPollOptions = {},
): Promise<{ deleted: number; attachmentsDeleted: number }> {
  const names = indexNames(request.prefix);
  let deleted = 0;
  let attachmentsDeleted = 0;
  let searchAfter: string[] | undefined;
  for (;;) {
    const response = await es.search<{ mimecastId: string }>({
      index: names.messages,
      size: BATCH,
      _source: false,
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
    if (hits.length < BATCH) break;
    searchAfter = hits[hits.length - 1]!.sort as string[];
  }
  return { deleted, attachmentsDeleted };
}
