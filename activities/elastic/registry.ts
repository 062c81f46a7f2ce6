// The mailbox registry `<prefix>-mailboxes` (docs/architecture.md, Registry and deletion guard): upserted by
// snapshotScope, paged by the pass with search_after (sorted by address) so its state stays small, updated as
// mailboxes finish.
import type { Client } from '@elastic/elasticsearch';
import type { MailboxStatus, SteadyCoverage } from '../../common/contracts';
import type { RegistryMailbox } from '../../common/activity-contracts';
import { indexNames, type RegistryDocument } from '../../common/node/documents';
import { BulkSink, type BulkOp } from './bulk-sink';
import { registryDocId } from './document-ids';

export interface RegistryEntry {
  source: string;
  address: string;
  mailboxKey: string;
  domain: string;
  inScope: boolean;
  excludedBy?: string;
  passId: string;
}

/** Creates the entry (status Idle, firstSeenAt = at) or refreshes scope and lastSeenPass, keeping history. */
export function registryUpsertOp(prefix: string, entry: RegistryEntry, at: string): BulkOp {
  const address = entry.address.toLowerCase();
  const created: RegistryDocument = {
    source: entry.source,
    address,
    mailboxKey: entry.mailboxKey,
    domain: entry.domain.toLowerCase(),
    inScope: entry.inScope,
    lastSeenPass: entry.passId,
    firstSeenAt: at,
    status: 'Idle',
    ...(entry.excludedBy ? { excludedBy: entry.excludedBy } : {}),
  };
  // A partial doc (no script: Painless may be missing); null clears a former exclusion.
  const refreshed = {
    inScope: entry.inScope,
    lastSeenPass: entry.passId,
    domain: created.domain,
    mailboxKey: entry.mailboxKey,
    excludedBy: entry.excludedBy ?? null,
  };
  return {
    action: 'update',
    index: indexNames(prefix).mailboxes,
    id: registryDocId(entry.source, address),
    doc: refreshed,
    upsert: created,
  };
}

/**
 * Marks this source's entries that the snapshot `passId` did not see as out of scope (`gone`
 * from the directory). Call only after a complete snapshot.
 */
export async function markUnseenMailboxesGone(
  es: Client,
  q: { prefix: string; source: string; passId: string },
): Promise<number> {
  const index = indexNames(q.prefix).mailboxes;
  const sink = new BulkSink(es);
  let updated = 0;
  let searchAfter: (string | number)[] | undefined;
  for (;;) {
    const page = await es.search({
      index,
      size: 1000,
      _source: false,
      track_total_hits: false,
      sort: [{ address: 'asc' }],
      search_after: searchAfter,
      query: {
        bool: {
          filter: [{ term: { source: q.source } }, { term: { inScope: true } }],
          must_not: [{ term: { lastSeenPass: q.passId } }],
        },
      },
    });
    const hits = page.hits.hits;
    if (!hits.length) break;
    const result = await sink.write(
      hits.map((hit) => ({
        action: 'update' as const,
        index,
        id: hit._id!,
        doc: { inScope: false, excludedBy: 'gone' },
      })),
    );
    if (result.failed.length) throw new Error(`registry update failed: ${result.failed[0]!.reason}`);
    updated += hits.length;
    if (hits.length < 1000) break;
    searchAfter = hits[hits.length - 1]!.sort as (string | number)[];
  }
  return updated;
}

export interface RegistryPageQuery {
  prefix: string;
  source: string;
  inScope: boolean;
  size: number;
  searchAfter?: (string | number)[];
}

/** A registry mailbox with what the idle screen reads (activities/pass/idle-screen.ts). */
export interface RegistryPageEntry extends RegistryMailbox {
  status?: MailboxStatus;
  steady?: SteadyCoverage;
  settingsHash?: string;
}

export interface RegistryPage {
  mailboxes: RegistryPageEntry[];
  /** Absent on the last page. */
  nextSearchAfter?: (string | number)[];
}

export async function readRegistryPage(es: Client, q: RegistryPageQuery): Promise<RegistryPage> {
  return searchRegistryPage(es, {
    ...q,
    query: { bool: { filter: [{ term: { source: q.source } }, { term: { inScope: q.inScope } }] } },
  });
}

/** One page of registry mailboxes matching `query`, sorted by address, for search_after paging. */
export async function searchRegistryPage(
  es: Client,
  q: { prefix: string; size: number; searchAfter?: (string | number)[]; query: object },
): Promise<RegistryPage> {
  const response = await es.search<RegistryDocument>({
    index: indexNames(q.prefix).mailboxes,
    size: q.size,
    _source: ['address', 'mailboxKey', 'domain', 'status', 'steady', 'settingsHash'],
    sort: [{ address: 'asc' }],
    ...(q.searchAfter ? { search_after: q.searchAfter } : {}),
    query: q.query,
  });
  const hits = response.hits.hits;
  const last = hits[hits.length - 1];
  return {
    mailboxes: hits.map((hit) => {
      const doc = hit._source!;
      return {
        address: doc.address,
        mailboxKey: doc.mailboxKey,
        domain: doc.domain,
        // A mailbox that ever reported has a long-lived workflow: the pass signals it first.
        ...(doc.status && doc.status !== 'Idle' ? { reported: true } : {}),
        ...(doc.status ? { status: doc.status } : {}),
        ...(doc.steady ? { steady: doc.steady } : {}),
        ...(doc.settingsHash ? { settingsHash: doc.settingsHash } : {}),
      };
    }),
    ...(hits.length === q.size && last ? { nextSearchAfter: last.sort as (string | number)[] } : {}),
  };
}

export async function countRegistry(
  es: Client,
  q: { prefix: string; source: string; inScope?: boolean },
): Promise<number> {
  const filter: object[] = [{ term: { source: q.source } }];
  if (q.inScope !== undefined) filter.push({ term: { inScope: q.inScope } });
  const response = await es.count({ index: indexNames(q.prefix).mailboxes, query: { bool: { filter } } });
  return response.count;
}

export async function getRegistryEntry(
  es: Client,
  q: { prefix: string; source: string; address: string },
): Promise<RegistryDocument | undefined> {
  const response = await es.get<RegistryDocument>(
    { index: indexNames(q.prefix).mailboxes, id: registryDocId(q.source, q.address) },
    { ignore: [404] },
  );
  return response.found ? response._source : undefined;
}

/** Sets status (and lastCrawledAt when a pass of the mailbox completed); a missing entry is left missing. */
export async function updateRegistryStatus(
  es: Client,
  q: { prefix: string; source: string; address: string; status: MailboxStatus; lastCrawledAt?: string },
): Promise<boolean> {
  const doc: Partial<RegistryDocument> = { status: q.status };
  if (q.lastCrawledAt) doc.lastCrawledAt = q.lastCrawledAt;
  const response = await es.update(
    {
      index: indexNames(q.prefix).mailboxes,
      id: registryDocId(q.source, q.address),
      doc,
      retry_on_conflict: 3,
    },
    { ignore: [404] },
  );
  return (
    (response as { result?: string }).result !== undefined &&
    (response as { result?: string }).result !== 'not_found'
  );
}

export async function deleteRegistryEntry(
  es: Client,
  q: { prefix: string; source: string; address: string },
): Promise<void> {
  await es.delete(
    { index: indexNames(q.prefix).mailboxes, id: registryDocId(q.source, q.address) },
    { ignore: [404] },
  );
}
