// The page activity outside Temporal (plain runtime, as the benchmark's loop runs it) against the
// simulator and the real Elasticsearch: every item ends indexed or recorded with a reason, and
// nothing a page-level error or a slow message causes is blamed on a message ([I] items 1, 2, 3, 6, 7).
import { indexNames } from '../../common/node/documents';
import { PlainActivityRuntime } from '../../activities/activity-runtime';
import { crawlPage, type PageHeartbeat } from '../../activities/mailbox/crawl-page';
import { messageDocId } from '../../activities/elastic/document-ids';
import { sweepUnseenMessages } from '../../activities/elastic/sweep';
import { readWatermarks } from '../../activities/elastic/watermarks';
import { createMailboxActivities } from '../../activities/mailbox/mailbox-activities';
import { recordDefect } from '../../simulator/message-faults';
import { DEFAULT_FAULTS } from '../../simulator/fault-spec';
import type { View } from '../../simulator/types';
import { pageInputs } from '../helpers/page-input';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(90_000);

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'page-items', startWorker: false });
}, 120_000);
afterAll(async () => {
  await h?.teardown();
});
afterEach(() => {
  h.sim.control.setFaults({ ...DEFAULT_FAULTS });
});

const pages = pageInputs('items-pass', () =>
  h.settings({ performance: { pageSize: 500 }, messages: { expiredPolicy: 'keep' } }),
);
const windowEnd = pages.windowEnd;
let mailboxes = 0;
/** A fresh mailbox per test, so tests never see each other's documents or failures. */
function newMailbox(messages: number): string {
  const address = `items${++mailboxes}@example.com`;
  h.sim.control.addMailbox(address, 'example.com', messages);
  return address;
}

const pageInput = pages.input;

function listed(address: string, view: View = 'INBOX') {
  return h.sim.control.expectedMessages(address, view);
}

it('[I1] a list record that fails validation is recorded with its id and reason; the rest of the page is indexed', async () => {
  const address = newMailbox(40);
  h.sim.control.setFaults({ oddRecordShare: 0.3 });
  const faults = h.sim.control.faults();
  const messages = listed(address);
  const odd = messages.filter((m) => recordDefect(faults, m.id));
  const good = messages.filter((m) => !recordDefect(faults, m.id));
  expect(odd.length).toBeGreaterThan(2);
  const deps = { ...h.deps, runtime: () => new PlainActivityRuntime() };

  const result = await crawlPage(deps, pageInput(address));

  expect(result.outcome).toBe('windowComplete');
  expect(result.counters).toMatchObject({
    listed: messages.length,
    indexed: good.length,
    failed: odd.length,
  });
  expect(await h.indexedIds(address, 'INBOX')).toEqual(good.map((m) => m.id).sort());
  const failed = await h.failedIds(address);
  expect(failed).toHaveLength(odd.length);
  for (const f of failed) expect(f.reason).toMatch(/get-message-list record data\[\d+\] is not valid: \w+/);
  // A record with an id is recorded under it; one without gets a stable stand-in.
  const withId = odd.filter((m) => recordDefect(faults, m.id) !== 'no-id').map((m) => m.id);
  expect(failed.map((f) => f.mimecastId)).toEqual(expect.arrayContaining(withId));
  const standIns = failed.filter((f) => f.mimecastId.startsWith('unidentified-'));
  expect(standIns).toHaveLength(odd.length - withId.length);
  expect(await readWatermarks(h.es, { prefix: h.prefix, source: h.sourceId, mailbox: address })).toEqual({
    INBOX: windowEnd,
  });
});

it('[I2] a message that downloads for longer than the heartbeat timeout is heartbeaten throughout', async () => {
  const address = newMailbox(4);
  h.sim.control.setFaults({ slowDownloadMs: 2_500 });
  const beats: { at: number; details: PageHeartbeat }[] = [];
  const runtime = new PlainActivityRuntime({
    heartbeatTimeoutMs: 1_000,
    onHeartbeat: (d) => beats.push({ at: Date.now(), details: d as PageHeartbeat }),
  });
  const result = await crawlPage({ ...h.deps, runtime: () => runtime }, pageInput(address, { view: 'SENT' }));
  expect(result.counters.indexed).toBe(listed(address, 'SENT').length);
  const first = listed(address, 'SENT')[0]!.id;
  const whileInFlight = beats.filter((b) => b.details.inFlightId === first);
  // 2.5 s of trickling at a 1 s heartbeat timeout: several beats, never a second apart.
  expect(whileInFlight.length).toBeGreaterThanOrEqual(4);
  for (let i = 1; i < beats.length; i++) expect(beats[i]!.at - beats[i - 1]!.at).toBeLessThan(1_000);
});

it('[I2] a page retried after an error (5xx) retries its in-flight message instead of recording "the worker stopped"', async () => {
  const address = newMailbox(6);
  let broke = false;
  const first = new PlainActivityRuntime({
    onHeartbeat: (d) => {
      // The API starts failing while the first message is in flight: the attempt fails with a 5xx.
      if (!broke && (d as PageHeartbeat).inFlightId) {
        broke = true;
        h.sim.control.setFaults({ rate5xx: 1 });
      }
    },
  });
  await expect(crawlPage({ ...h.deps, runtime: () => first }, pageInput(address))).rejects.toThrow();
  expect(broke).toBe(true);
  h.sim.control.setFaults({ rate5xx: 0 });

  const retry = new PlainActivityRuntime({ previousDetails: first.lastDetails, attempt: 2 });
  const result = await crawlPage({ ...h.deps, runtime: () => retry }, pageInput(address));
  expect(result.outcome).toBe('windowComplete');
  expect(result.counters.failed).toBe(0);
  expect(await h.failedIds(address)).toEqual([]);
  expect(await h.indexedIds(address, 'INBOX')).toEqual(h.expectedIds(address, 'INBOX', 'keep'));
});

describe('[I3] documents Elasticsearch rejects', () => {
  it('a rejected attachment document is recorded as a failure of its message, with the reason, and counted', async () => {
    const address = newMailbox(16);
    const attachments = indexNames(h.prefix).attachments;
    const withAttachments = listed(address).filter((m) => m.attachmentCount > 0);
    expect(withAttachments.length).toBeGreaterThan(0);
    await h.es.indices.close({ index: attachments });
    let result;
    try {
      result = await crawlPage({ ...h.deps, runtime: () => new PlainActivityRuntime() }, pageInput(address));
    } finally {
      await h.es.indices.open({ index: attachments, wait_for_active_shards: 1 });
    }
    expect(result.outcome).toBe('windowComplete');
    expect(result.counters.attachmentsIndexed).toBe(0);
    // Each message with an attachment document (some have only excluded or inline parts) is recorded once.
    const failed = await h.failedIds(address);
    expect(failed.length).toBeGreaterThan(0);
    expect(result.counters.incomplete).toBe(failed.length);
    expect(withAttachments.map((m) => m.id)).toEqual(expect.arrayContaining(failed.map((f) => f.mimecastId)));
    for (const f of failed) expect(f.reason).toMatch(/Elasticsearch rejected attachment .*closed/);
    // Every item is indexed or recorded: the window's watermark is written.
    expect(await readWatermarks(h.es, { prefix: h.prefix, source: h.sourceId, mailbox: address })).toEqual({
      INBOX: windowEnd,
    });
  });

  it('no watermark while a rejected document could not be recorded either (the page is retried)', async () => {
    const address = newMailbox(16);
    const { attachments, failed } = indexNames(h.prefix);
    await h.es.indices.close({ index: [attachments, failed] });
    try {
      await expect(
        crawlPage({ ...h.deps, runtime: () => new PlainActivityRuntime() }, pageInput(address)),
      ).rejects.toThrow();
    } finally {
      await h.es.indices.open({ index: [attachments, failed], wait_for_active_shards: 1 });
    }
    expect(await readWatermarks(h.es, { prefix: h.prefix, source: h.sourceId, mailbox: address })).toEqual(
      {},
    );
  });
});

it('[I6] reconcile keeps the document of a listed message whose refetch failed', async () => {
  const address = newMailbox(8);
  const deps = { ...h.deps, runtime: () => new PlainActivityRuntime() };
  await crawlPage(deps, pageInput(address, { passId: 'first' }));
  const [victim] = h.expectedIds(address, 'INBOX', 'keep');
  h.sim.control.setFaults({ failIds: [victim!] });

  const result = await crawlPage(
    deps,
    pageInput(address, { passId: 'reconcile', mode: 'reconcile', refetchContent: true }),
  );
  expect(result.counters.failed).toBe(1);
  await h.refresh(); // as the sweep activity does: "not seen" must be searchable first
  await sweepUnseenMessages(h.es, {
    prefix: h.prefix,
    source: h.sourceId,
    mailbox: address,
    view: 'INBOX',
    passId: 'reconcile',
  });
  expect(await h.indexedIds(address, 'INBOX')).toEqual(h.expectedIds(address, 'INBOX', 'keep'));
});

it('[I7] retry-failed indexes a recorded message with its listed metadata', async () => {
  const address = newMailbox(6);
  const [victim] = listed(address);
  h.sim.control.setFaults({ failIds: [victim!.id] });
  const deps = { ...h.deps, runtime: () => new PlainActivityRuntime() };
  const settings = pageInput(address).settings;
  await crawlPage(deps, pageInput(address));
  expect((await h.failedIds(address)).map((f) => f.mimecastId)).toEqual([victim!.id]);
  h.sim.control.setFaults({ failIds: [] });

  const retried = await createMailboxActivities(deps).retryFailedItems({
    settings,
    address,
    domain: 'example.com',
    passId: 'retry',
    maxAttempts: 5,
  });
  expect(retried).toMatchObject({ remaining: 0, counters: { indexed: 1 } });
  const id = messageDocId({ source: h.sourceId, mailbox: address, view: 'INBOX', mimecastId: victim!.id });
  const doc = await h.es.get<{ size: number; subject: string }>({ index: indexNames(h.prefix).messages, id });
  expect(doc._source).toMatchObject({ size: victim!.size });
});

it('[I6] a view holding documents in an overflowed boundary second is not swept in that pass', async () => {
  const address = newMailbox(8);
  const deps = { ...h.deps, runtime: () => new PlainActivityRuntime() };
  const input = pageInput(address, { passId: 'first' });
  await crawlPage(deps, input);
  const [one] = listed(address);
  const second = new Date(one!.receivedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const activities = createMailboxActivities(deps);
  const sweep = { settings: input.settings, address, view: 'INBOX' as const, passId: 'reconcile' };

  // Nothing was seen by pass 'reconcile': only the overflow guard keeps the documents.
  const guarded = await activities.sweepUnseen({ ...sweep, boundaryOverflowSeconds: [second] });
  expect(guarded).toEqual({ deleted: 0, notSweptForOverflow: [second] });
  expect(await h.indexedIds(address, 'INBOX')).toEqual(h.expectedIds(address, 'INBOX', 'keep'));
  // An overflowed second of another view (no documents here) does not stop the sweep.
  const other = await activities.sweepUnseen({ ...sweep, boundaryOverflowSeconds: ['2000-01-01T00:00:00Z'] });
  expect(other.deleted).toBe(h.expectedIds(address, 'INBOX', 'keep').length);
});
