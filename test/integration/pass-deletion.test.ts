// Guarded deletion end to end (docs/architecture.md, Registry and deletion guard): an excluded mailbox's
// documents are deleted (another source's copy untouched), a scope change over max(5, 10 %) is withheld and
// reported, and confirmDeletions performs it.
import type { CrawlArchiveInput, CrawlArchiveResult, PassOptions } from '../../common/contracts';
import { mailboxWorkflowId, passWorkflowId } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';
import type { SourceSettings } from '../../common/settings';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(300_000);

let h: WorkerHarness;
let otherSource: string;
let run = 0;

function settings(excluded: string[], sourceId = h.sourceId): SourceSettings {
  return {
    ...h.settings({
      domains: { includeLocal: true },
      // `bulk` never enters the scope (and, never crawled, never becomes a deletion candidate).
      mailboxes: { excluded: ['^bulk@', ...excluded] },
      parallelism: { mailboxCrawling: 4, mailboxDeletion: 2 },
      // The preset spans 90 days: one window per view keeps the test short.
      messages: { startDate: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10) },
    }),
    sourceId,
  };
}

async function pass(s: SourceSettings, options: PassOptions = {}): Promise<CrawlArchiveResult> {
  const handle = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: `${passWorkflowId(s.sourceId)}:run-${++run}`,
    args: [
      {
        settings: s,
        options,
        tuning: { livenessCheckMs: 10_000, mailboxTuning: { windowDays: 120 } },
      } satisfies CrawlArchiveInput,
    ],
  });
  return handle.result();
}

async function documentCount(sourceId: string, mailbox: string): Promise<number> {
  await h.refresh();
  const names = indexNames(h.prefix);
  const response = await h.es.count({
    index: [names.messages, names.attachments, names.state],
    query: { bool: { filter: [{ term: { source: sourceId } }, { term: { mailbox } }] } },
  });
  return response.count;
}

const SIX = ['alice', 'bob', 'carol', 'erin', 'frank', 'grace'].map((n) => `^${n}@`);

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'pass-deletion', simulator: { preset: 'small' } });
  otherSource = `${h.sourceId}-other`;
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await terminateSource(h.client, otherSource);
  await h.teardown();
});

it('deletes an excluded mailbox (after stopping its workflow) and leaves other sources alone', async () => {
  const first = await pass(settings([]));
  expect(first).toMatchObject({ status: 'Completed', mailboxes: { total: 7, completed: 7 } });
  const other = await pass({
    ...settings([]),
    sourceId: otherSource,
    mailboxes: { included: ['^dave@'], excluded: [] },
  });
  expect(other).toMatchObject({ status: 'Completed', mailboxes: { total: 1, completed: 1 } });
  const dave = h.sim.control
    .mailboxes()
    .find((a) => a.startsWith('dave@'))!
    .toLowerCase();
  expect(await documentCount(h.sourceId, dave)).toBeGreaterThan(0);
  const otherBefore = await documentCount(otherSource, dave);
  expect(otherBefore).toBeGreaterThan(0);
  const alice = h.sim.control
    .mailboxes()
    .find((a) => a.startsWith('alice@'))!
    .toLowerCase();
  const aliceBefore = await documentCount(h.sourceId, alice);

  const second = await pass(settings(['^dave@']));
  expect(second.status).toBe('Completed');
  expect(second.deletions).toEqual({ candidates: 1, performed: 1, withheld: 0 });
  expect(second.mailboxes.total).toBe(6);
  expect(await documentCount(h.sourceId, dave)).toBe(0);
  expect(await documentCount(otherSource, dave)).toBe(otherBefore);
  expect(await documentCount(h.sourceId, alice)).toBe(aliceBefore);
  const mailbox = await h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, dave)).describe();
  expect(mailbox.status.name).not.toBe('RUNNING');

  // Deleted once is enough: the next pass has no candidate left.
  const third = await pass(settings(['^dave@']));
  expect(third.deletions).toEqual({ candidates: 0, performed: 0, withheld: 0 });
});

it('withholds a scope change over the guard, reports it, and performs it with confirmDeletions', async () => {
  // 8 known mailboxes: the guard allows max(5, 10 % of 8) = 5; six more excluded is over it.
  const withheld = await pass(settings(['^dave@', ...SIX]));
  expect(withheld.status).toBe('Completed');
  expect(withheld.deletions).toMatchObject({ candidates: 6, performed: 0, withheld: 6 });
  expect(withheld.deletions.reason).toMatch(/--confirm-deletions/);
  const alice = h.sim.control
    .mailboxes()
    .find((a) => a.startsWith('alice@'))!
    .toLowerCase();
  expect(await documentCount(h.sourceId, alice)).toBeGreaterThan(0);
  await h.refresh();
  const report = await h.es.search<{ progress: CrawlArchiveResult }>({
    index: indexNames(h.prefix).passes,
    query: { term: { passId: withheld.passId } },
  });
  expect(report.hits.hits[0]!._source!.progress.deletions.withheld).toBe(6);

  const confirmed = await pass(settings(['^dave@', ...SIX]), { confirmDeletions: true });
  expect(confirmed.deletions).toMatchObject({ candidates: 6, performed: 6, withheld: 0 });
  const six = h.sim.control
    .listUsers()
    .filter((u) => !u.alias && SIX.some((p) => new RegExp(p).test(u.emailAddress)))
    .map((u) => u.emailAddress.toLowerCase());
  expect(six).toHaveLength(6);
  for (const address of six) expect(await documentCount(h.sourceId, address)).toBe(0);
  const dave = h.sim.control
    .mailboxes()
    .find((a) => a.startsWith('dave@'))!
    .toLowerCase();
  expect(await documentCount(otherSource, dave)).toBeGreaterThan(0);
});
