// snapshotScope against the real Elasticsearch with a scripted directory: filters, the registry,
// "gone" mailboxes, incomplete snapshots, and which out-of-scope entries are deletion candidates.
import { randomBytes } from 'node:crypto';
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { DEFAULT_ELASTICSEARCH_URL } from '../../common/node/defaults';
import { indexNames, type RegistryDocument } from '../../common/node/documents';
import { TransientError } from '../../common/node/errors';
import { ensureIndexTemplates, removeIndexTemplates } from '../../activities/elastic/index-templates';
import { updateRegistryStatus } from '../../activities/elastic/registry';
import { readDeletionCandidatesPage } from '../../activities/pass/deletion-candidates';
import type { MimecastClient } from '../../activities/mimecast/client';
import { snapshotScope } from '../../activities/pass/snapshot-scope';
import { settings as testSettings } from '../helpers/settings';

jest.setTimeout(60_000);

const prefix = `t-snapshot-${randomBytes(3).toString('hex')}`;
const source = 'src-snapshot';
let es: ElasticClient;

interface User {
  emailAddress: string;
  alias?: boolean;
  addressType?: string;
}

/** A directory client over fixed data; a domain listed in `failing` fails like an exhausted retry. */
function directory(
  domains: { domain: string; local?: boolean }[],
  users: Record<string, User[]>,
  failing: string[] = [],
) {
  return {
    listInternalDomains: async () => domains,
    listInternalUsersPage: async ({ domain, pageToken }: { domain: string; pageToken?: string }) => {
      if (failing.includes(domain)) throw new TransientError(`503 from get-internal-users for ${domain}`);
      // Two pages per domain, to exercise paging.
      const all = users[domain] ?? [];
      const half = Math.ceil(all.length / 2);
      return pageToken ? { users: all.slice(half) } : { users: all.slice(0, half), nextPageToken: 'p2' };
    },
  } as unknown as MimecastClient;
}

function settings(extra: Record<string, unknown> = {}) {
  return testSettings(extra, { sourceId: source, index: { prefix } });
}

async function registry(): Promise<Record<string, RegistryDocument>> {
  await es.indices.refresh({ index: indexNames(prefix).mailboxes });
  const response = await es.search<RegistryDocument>({
    index: indexNames(prefix).mailboxes,
    size: 100,
    query: { term: { source } },
  });
  return Object.fromEntries(response.hits.hits.map((h) => [h._source!.address, h._source!]));
}

const deps = (client: MimecastClient) => ({
  elastic: es,
  client,
  now: () => new Date(),
  heartbeat: () => undefined,
});

const DOMAINS = [{ domain: 'corp.com' }, { domain: 'lab.local', local: true }];
const USERS: Record<string, User[]> = {
  'corp.com': [
    { emailAddress: 'Alice@corp.com', addressType: 'created_by_ldap_sync' },
    { emailAddress: 'bob@corp.com', addressType: 'created_manually' },
    { emailAddress: 'ceo@corp.com', addressType: 'created_by_ldap_sync' },
    { emailAddress: 'alice.alias@corp.com', alias: true },
    { emailAddress: 'all@corp.com', addressType: 'dl_from_ldap' },
    { emailAddress: 'bounce@corp.com', addressType: 'created_by_email' },
  ],
  'lab.local': [{ emailAddress: 'tester@lab.local', addressType: 'created_manually' }],
};

beforeAll(async () => {
  es = new ElasticClient({ node: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL });
  await ensureIndexTemplates(es, prefix);
});

afterAll(async () => {
  await removeIndexTemplates(es, prefix).catch(() => undefined);
  await es?.close();
});

it('registers mailboxes only (lower-cased), in or out of scope with the rule that left them out', async () => {
  const result = await snapshotScope(
    { settings: settings({ mailboxes: { excluded: ['^ceo@'] } }), passId: 'p1' },
    deps(directory(DOMAINS, USERS)),
  );
  expect(result).toMatchObject({ complete: true, total: 3, inScope: 2, previouslyKnown: 0, notMailboxes: 3 });
  expect(result.excludedByRule).toEqual({ 'mailboxes.excluded[0]': 1, 'domains.includeLocal': 1 });
  // Never crawled, so not a deletion candidate: a permanent exclusion does not trip the guard.
  expect(result.outOfScope).toBe(0);
  const entries = await registry();
  expect(Object.keys(entries).sort()).toEqual(['alice@corp.com', 'bob@corp.com', 'ceo@corp.com']);
  expect(entries['ceo@corp.com']).toMatchObject({
    inScope: false,
    excludedBy: 'mailboxes.excluded[0]',
    status: 'Idle',
  });
  expect(entries['alice@corp.com']).toMatchObject({
    inScope: true,
    mailboxKey: 'alice@corp.com',
    domain: 'corp.com',
  });
});

it('marks a mailbox gone from the directory out of scope; once crawled it is a deletion candidate', async () => {
  await updateRegistryStatus(es, {
    prefix,
    source,
    address: 'bob@corp.com',
    status: 'Completed',
    lastCrawledAt: '2024-05-01T00:00:00Z',
  });
  const withoutBob = {
    ...USERS,
    'corp.com': USERS['corp.com']!.filter((u) => u.emailAddress !== 'bob@corp.com'),
  };
  const result = await snapshotScope(
    { settings: settings(), passId: 'p2' },
    deps(directory(DOMAINS, withoutBob)),
  );
  expect(result).toMatchObject({ complete: true, inScope: 2, outOfScope: 1, previouslyKnown: 3 });
  expect(result.excludedByRule.gone).toBe(1);
  expect((await registry())['bob@corp.com']).toMatchObject({ inScope: false, excludedBy: 'gone' });
  const page = await readDeletionCandidatesPage(es, { prefix, source, size: 10 });
  expect(page.mailboxes.map((m) => m.address)).toEqual(['bob@corp.com']);
});

it('a domain that cannot be listed makes the snapshot incomplete and marks nothing gone', async () => {
  const result = await snapshotScope(
    { settings: settings({ mailboxes: { excluded: [] } }), passId: 'p3' },
    deps(directory(DOMAINS, USERS, ['corp.com'])),
  );
  expect(result.complete).toBe(false);
  expect(result.problems[0]).toMatch(/corp\.com could not be listed/);
  const entries = await registry();
  // alice was not seen by p3, but an incomplete snapshot proves nothing: she stays in scope.
  expect(entries['alice@corp.com']).toMatchObject({ inScope: true, lastSeenPass: 'p2' });
});

it('refuses invalid settings as a source error before any call', async () => {
  await expect(
    snapshotScope(
      { settings: settings({ mailboxes: { excluded: ['.*'] } }), passId: 'p4' },
      deps(directory(DOMAINS, USERS)),
    ),
  ).rejects.toThrow(/invalid settings: mailboxes.excluded\[0\]/);
});
