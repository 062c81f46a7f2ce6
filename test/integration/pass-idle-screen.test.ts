// The idle screen of a delta pass (docs/architecture.md, The steady state): a mailbox whose last pass
// completed steady under the same settings, and that has nothing new, is done for the pass without its
// workflow being woken (no signal, no workflow task, no event); a mailbox with new mail, a pass with other
// settings and a pass with the screen switched off wake their mailboxes as before; the index stays exact.
import type { CrawlArchiveInput, CrawlArchiveResult, SteadyCoverage } from '../../common/contracts';
import { mailboxWorkflowId, passWorkflowId, VIEWS } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';
import { watermarkDocId } from '../../activities/elastic/document-ids';
import type { SourceSettings } from '../../common/settings';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(240_000);

let h: WorkerHarness;
let passes = 0;

function settings(excludedSubjects: string[] = [], mailboxCrawling = 4): SourceSettings {
  return h.settings({
    domains: { includeLocal: true },
    mailboxes: { excluded: ['^bulk@'] },
    messages: {
      startDate: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10),
      excludedSubjects,
    },
    parallelism: { mailboxCrawling },
  });
}

async function pass(input: Partial<CrawlArchiveInput> = {}): Promise<CrawlArchiveResult> {
  passes += 1;
  const handle = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: `${passWorkflowId(h.sourceId)}:${passes}`,
    args: [
      {
        settings: settings(),
        tuning: { livenessCheckMs: 10_000, mailboxTuning: { windowDays: 120 } },
        ...input,
      } satisfies CrawlArchiveInput,
    ],
  });
  return handle.result();
}

function inScopeMailboxes(): string[] {
  return h.realMailboxes().filter((a) => !a.startsWith('bulk@'));
}

/** History length of every in-scope mailbox workflow (its current run). */
async function historyLengths(): Promise<Record<string, number>> {
  const lengths: Record<string, number> = {};
  for (const address of inScopeMailboxes()) {
    const described = await h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, address)).describe();
    lengths[address] = described.historyLength;
  }
  return lengths;
}

async function expectExactIndex(): Promise<void> {
  for (const address of inScopeMailboxes())
    for (const view of VIEWS) expect(await h.indexedIds(address, view)).toEqual(h.expectedIds(address, view));
}

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'pass-idle', simulator: { preset: 'small' } });
  const first = await pass();
  expect(first).toMatchObject({ status: 'Completed', mailboxes: { total: 7, completed: 7, failed: 0 } });
  expect(first.mailboxes.idle).toBeUndefined();
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('a completed pass leaves each mailbox steady coverage in the registry: a token per view', async () => {
  await h.refresh();
  const found = await h.es.search<{ address: string; steady?: SteadyCoverage; settingsHash?: string }>({
    index: indexNames(h.prefix).mailboxes,
    size: 100,
    query: { bool: { filter: [{ term: { source: h.sourceId } }, { term: { inScope: true } }] } },
  });
  const entries = found.hits.hits.map((hit) => hit._source!);
  expect(entries.map((e) => e.address).sort()).toEqual(inScopeMailboxes());
  for (const entry of entries) {
    expect(entry.settingsHash).toMatch(/^[0-9a-f]{64}$/);
    for (const view of VIEWS) expect(Date.parse(entry.steady?.[view]?.token ?? '')).toBeGreaterThan(0);
  }
});

it('a delta pass with nothing new wakes no mailbox workflow: two list calls per mailbox, no event', async () => {
  const before = await historyLengths();
  h.sim.control.resetCounters();
  const second = await pass();
  expect(second).toMatchObject({
    status: 'Completed',
    mailboxes: { total: 7, dispatched: 0, completed: 7, failed: 0, idle: 7 },
  });
  expect(second.messages.indexed).toBe(0);
  expect(await historyLengths()).toEqual(before);
  const calls = h.sim.control.counters();
  expect(calls['/api/archive/get-message-list']).toBe(7 * VIEWS.length);
  expect(calls['/api/archive/get-message-part'] ?? 0).toBe(0);
  await expectExactIndex();
});

it('a mailbox with new mail is dispatched and indexes exactly what is new; the others stay asleep', async () => {
  const [busy, ...others] = inScopeMailboxes();
  const before = await historyLengths();
  const added = h.sim.control.addMessages(busy!, 2);
  const third = await pass();
  expect(third).toMatchObject({
    status: 'Completed',
    mailboxes: { total: 7, dispatched: 1, completed: 7, failed: 0, idle: 6 },
  });
  expect(third.messages.indexed).toBe(added.length);
  const after = await historyLengths();
  expect(after[busy!]).toBeGreaterThan(before[busy!]!);
  for (const address of others) expect(after[address]).toBe(before[address]);
  await expectExactIndex();
});

it('a mailbox whose watermarks are gone (index restored) is woken, as its workflow would re-list', async () => {
  const [, restored] = inScopeMailboxes();
  for (const view of VIEWS)
    await h.es.delete({
      index: indexNames(h.prefix).state,
      id: watermarkDocId(h.sourceId, restored!, view),
      refresh: true,
    });
  const before = await historyLengths();
  const result = await pass();
  expect(result.mailboxes).toMatchObject({ dispatched: 1, completed: 7, idle: 6 });
  expect((await historyLengths())[restored!]).toBeGreaterThan(before[restored!]!);
  await expectExactIndex();
});

it('a pass at another parallelism still leaves them asleep: tuning is not what a mailbox lists', async () => {
  const tuned = await pass({ settings: settings([], 2) });
  expect(tuned.mailboxes).toMatchObject({ dispatched: 0, completed: 7, idle: 7 });
});

it('other settings, or the screen switched off, wake every mailbox as before', async () => {
  const changed = await pass({ settings: settings(['^never matches$']) });
  expect(changed.mailboxes).toMatchObject({ dispatched: 7, completed: 7 });
  expect(changed.mailboxes.idle).toBeUndefined();
  // Steady again, under the changed settings.
  const again = await pass({ settings: settings(['^never matches$']) });
  expect(again.mailboxes).toMatchObject({ dispatched: 0, completed: 7, idle: 7 });
  const off = await pass({
    settings: settings(['^never matches$']),
    tuning: { livenessCheckMs: 10_000, screenIdleMailboxes: false },
  });
  expect(off.mailboxes).toMatchObject({ dispatched: 7, completed: 7 });
  expect(off.mailboxes.idle).toBeUndefined();
  await expectExactIndex();
});

it('a reconcile pass is never screened', async () => {
  const reconcile = await pass({ options: { ignoreDeltaTokens: true } });
  expect(reconcile).toMatchObject({ mode: 'reconcile', mailboxes: { dispatched: 7, completed: 7 } });
  expect(reconcile.mailboxes.idle).toBeUndefined();
});
