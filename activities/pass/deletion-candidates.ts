// Which out-of-scope registry entries the pass must delete (docs/architecture.md, Registry and deletion
// guard). Only entries a mailbox workflow ever touched can hold documents: an address first seen already
// excluded (status Idle, never crawled) is not a candidate, so a permanent exclusion never trips the deletion
// guard and a deleted mailbox (whose entry deleteMailbox removes) is not deleted again by every later pass.
import type { Client } from '@elastic/elasticsearch';
import { indexNames } from '../../common/node/documents';
import { searchRegistryPage, type RegistryPage } from '../elastic/registry';

function candidatesQuery(source: string): object {
  return {
    bool: {
      filter: [{ term: { source } }, { term: { inScope: false } }],
      should: [
        { exists: { field: 'lastCrawledAt' } },
        { bool: { must_not: [{ term: { status: 'Idle' } }] } },
      ],
      minimum_should_match: 1,
    },
  };
}

export async function countDeletionCandidates(
  es: Client,
  q: { prefix: string; source: string },
): Promise<number> {
  const response = await es.count({
    index: indexNames(q.prefix).mailboxes,
    query: candidatesQuery(q.source),
  });
  return response.count;
}

export async function readDeletionCandidatesPage(
  es: Client,
  q: { prefix: string; source: string; size: number; searchAfter?: (string | number)[] },
): Promise<RegistryPage> {
  return searchRegistryPage(es, { ...q, query: candidatesQuery(q.source) });
}
