// Which messages of a page are already indexed (delta overlap, reconcile: content is fetched only
// for the missing ones), and a scan of a mailbox view's indexed ids. Every query filters on source.
import type { Client } from '@elastic/elasticsearch';
import type { View } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';

export interface ExistingIdsQuery {
  prefix: string;
  source: string;
  /** Message document ids (`messageDocId`). */
  ids: string[];
}

/** One query per page (per 1,000 ids): the subset of `ids` that has a message document of this source. */
export async function findExistingMessageIds(es: Client, query: ExistingIdsQuery): Promise<Set<string>> {
  const found = new Set<string>();
  // A page is at most 500 records; chunks keep a bigger caller under max_result_window anyway.
  for (let i = 0; i < query.ids.length; i += 1000) {
    const ids = query.ids.slice(i, i + 1000);
    const response = await es.search({
      index: indexNames(query.prefix).messages,
      size: ids.length,
      _source: false,
      query: { bool: { filter: [{ term: { source: query.source } }, { ids: { values: ids } }] } },
    });
    for (const hit of response.hits.hits) found.add(hit._id!);
  }
  return found;
}

export interface MessageIdScanQuery {
  prefix: string;
  source: string;
  mailbox: string;
  view: View;
  size?: number;
  /** From the previous page's `nextSearchAfter`. */
  searchAfter?: string[];
}

export interface MessageIdScanPage {
  /** Document id and Mimecast id of each message, sorted by Mimecast id. */
  messages: { docId: string; mimecastId: string; lastSeenPass?: string }[];
  nextSearchAfter?: string[];
}

/** One page of a mailbox view's indexed messages (search_after on mimecastId, unique per view). */
export async function scanMessageIds(es: Client, query: MessageIdScanQuery): Promise<MessageIdScanPage> {
  const size = query.size ?? 1000;
  const response = await es.search<{ mimecastId: string; lastSeenPass?: string }>({
    index: indexNames(query.prefix).messages,
    size,
    _source: ['mimecastId', 'lastSeenPass'],
    sort: [{ mimecastId: 'asc' }],
    search_after: query.searchAfter,
    query: {
      bool: {
        filter: [
          { term: { source: query.source } },
          { term: { mailbox: query.mailbox } },
          { term: { view: query.view } },
        ],
      },
    },
  });
  const hits = response.hits.hits;
  const messages = hits.map((hit) => ({
    docId: hit._id!,
    mimecastId: hit._source!.mimecastId,
    lastSeenPass: hit._source!.lastSeenPass,
  }));
  const last = hits[hits.length - 1];
  return { messages, nextSearchAfter: hits.length === size && last ? (last.sort as string[]) : undefined };
}
