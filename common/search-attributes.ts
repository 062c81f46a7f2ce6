// Search attributes of docs/architecture.md, Search attributes (registered when the dev server starts). Typed
// keys, used by workflows (upsert, continue-as-new), the CLI (status, list queries) and the tests.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const MimecastSource = defineSearchAttributeKey('MimecastSource', SearchAttributeType.KEYWORD);
export const MimecastMailbox = defineSearchAttributeKey('MimecastMailbox', SearchAttributeType.KEYWORD);
export const MimecastDomain = defineSearchAttributeKey('MimecastDomain', SearchAttributeType.KEYWORD);
export const MimecastPassId = defineSearchAttributeKey('MimecastPassId', SearchAttributeType.KEYWORD);
export const CrawlStatus = defineSearchAttributeKey('CrawlStatus', SearchAttributeType.KEYWORD);
export const MessagesIndexed = defineSearchAttributeKey('MessagesIndexed', SearchAttributeType.INT);
export const MimecastLastPassAt = defineSearchAttributeKey(
  'MimecastLastPassAt',
  SearchAttributeType.DATETIME,
);

/** Set by the server on a run that a schedule started: the schedule's id (the pass report records it). */
export const TemporalScheduledById = defineSearchAttributeKey(
  'TemporalScheduledById',
  SearchAttributeType.KEYWORD,
);

/** Name → type, for `temporal server start-dev --search-attribute` and its test. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Record<string, 'Keyword' | 'Int' | 'Datetime'> = {
  MimecastSource: 'Keyword',
  MimecastMailbox: 'Keyword',
  MimecastDomain: 'Keyword',
  MimecastPassId: 'Keyword',
  CrawlStatus: 'Keyword',
  MessagesIndexed: 'Int',
  MimecastLastPassAt: 'Datetime',
};
