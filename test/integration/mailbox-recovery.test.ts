// Recovery of crawlMailbox with the real Temporal server, Elasticsearch and the simulator: a worker
// shut down mid-page (the page is retried, nothing recorded), expired page tokens, a poison message, and a mailbox whose
// pages keep failing (Failed, tokens kept) completed by restart-mailbox.
import type { WorkflowHandle } from '@temporalio/client';
import { crawlRequestedSignal, mailboxProgressQuery, restartMailboxUpdate } from '../../common/messages';
import { CrawlStatus } from '../../common/search-attributes';
import { WorkerHarness } from '../helpers/worker-harness';
import { MAILBOX_TEST_TUNING, mailboxSettings, withPageHooks, type PageHooks } from '../helpers/mailbox-runs';
import { waitForInFlightHeartbeat } from '../helpers/in-flight-heartbeat';
import { expectExactIndex } from '../helpers/exact-index';

jest.setTimeout(150_000);

const tuning = MAILBOX_TEST_TUNING;

/** Hooks the tests set to act around a real crawlPage call. */
const hooks: PageHooks = {};

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'mbx-recovery',
    worker: { shutdownGraceTime: '200ms' },
    wrapActivities: withPageHooks(hooks),
  });
}, 120_000);
afterEach(() => {
  hooks.beforePage = undefined;
  hooks.afterPage = undefined;
  h.sim.control.setFaults({ rate5xx: 0, failIds: [], slowDownloadMs: 0 });
});
afterAll(async () => {
  await h?.teardown();
});

function settings(pageSize = 4) {
  return mailboxSettings(h, { pageSize });
}

async function nextPass(handle: WorkflowHandle, passId: string) {
  await handle.signal(crawlRequestedSignal, h.request(passId, settings()));
  return h.waitForReport(passId);
}

it('[I2] a worker shut down mid-page: the page is retried and its in-flight message indexed, not recorded as "the worker stopped"', async () => {
  // A graceful stop cancels the page, which heartbeats that it ended with an error on its way out:
  // the message was not the cause. A lost worker (SIGKILL) is test/integration/mailbox-crash.test.ts.
  const mailbox = 'erin@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 10);
  h.sim.control.setFaults({ slowDownloadMs: 700 });
  const handle = await h.startMailbox(mailbox, h.request('stop-1', settings()), tuning);
  await waitForInFlightHeartbeat(handle, 30_000);
  await h.stopWorker();
  h.sim.control.setFaults({ slowDownloadMs: 0 });
  await h.startWorker();

  const first = await h.waitForReport('stop-1');
  expect(first.status).toBe('Completed');
  expect(first.counters.failed).toBe(0);
  expect(await h.failedIds(mailbox)).toEqual([]);
  await expectExactIndex(h, mailbox);
});

it('an expired page token restarts its window and ends with the exact index', async () => {
  const mailbox = 'frank@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 16);
  h.sim.control.setSwitches({ pageTokenTtlSeconds: 60 });
  let expired = false;
  hooks.beforePage = (input) => {
    if (input.address === mailbox && input.pageToken && !expired) {
      expired = true;
      h.sim.control.advanceClock(61_000);
    }
  };
  await h.startMailbox(mailbox, h.request('ttl-1', settings()), tuning);
  const report = await h.waitForReport('ttl-1');
  h.sim.control.setSwitches({ pageTokenTtlSeconds: null });
  expect(expired).toBe(true);
  expect(report.status).toBe('Completed');
  expect(report.counters.pageTokenRestarts).toBe(1);
  await expectExactIndex(h, mailbox);
});

it('a poison message is recorded with its reason and retried by the next pass', async () => {
  const mailbox = 'grace@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 8);
  const poison = h.expectedIds(mailbox, 'INBOX')[0]!;
  h.sim.control.setFaults({ failIds: [poison] });
  const handle = await h.startMailbox(mailbox, h.request('poison-1', settings()), tuning);
  const first = await h.waitForReport('poison-1');
  expect(first.status).toBe('Completed');
  expect(first.counters.failed).toBe(1);
  const failed = await h.failedIds(mailbox);
  expect(failed.map((f) => f.mimecastId)).toEqual([poison]);
  expect(failed[0]!.reason).toMatch(/could not be retrieved/);
  expect(await h.indexedIds(mailbox, 'INBOX')).not.toContain(poison);

  h.sim.control.setFaults({ failIds: [] });
  h.sim.control.resetCounters();
  const second = await nextPass(handle, 'poison-2');
  expect(second.status).toBe('Completed');
  await expectExactIndex(h, mailbox);
  expect(await h.failedIds(mailbox)).toEqual([]);
});

it('a mailbox whose pages keep failing is Failed with its tokens intact, and restartMailbox completes it', async () => {
  const mailbox = 'heidi@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 12);
  hooks.afterPage = (result, input) => {
    // The first INBOX window completes; from then on every call of the simulator fails.
    if (input.address === mailbox && result.outcome === 'windowComplete' && input.view === 'INBOX') {
      h.sim.control.setFaults({ rate5xx: 1 });
    }
  };
  const handle = await h.startMailbox(mailbox, h.request('fail-1', settings()), tuning);
  const failed = await h.waitForReport('fail-1');
  expect(failed).toMatchObject({ status: 'Failed', errorKind: 'mailbox' });
  const progress = await handle.query(mailboxProgressQuery);
  expect(progress.status).toBe('Failed');
  expect(progress.tokens.INBOX).toBeDefined();
  expect(progress.tokens.SENT).toBeUndefined();
  expect((await handle.describe()).typedSearchAttributes.get(CrawlStatus)).toBe('Failed');

  hooks.afterPage = undefined;
  h.sim.control.setFaults({ rate5xx: 0 });
  const restarted = await handle.executeUpdate(restartMailboxUpdate, { args: [{}] });
  expect(restarted).toEqual({ passId: 'fail-1', queuedBehind: 0 });
  const done = await h.waitForReport('fail-1', 60_000, 2);
  expect(done.status).toBe('Completed');
  await expectExactIndex(h, mailbox);
  expect((await handle.describe()).typedSearchAttributes.get(CrawlStatus)).toBe('Completed');
});
