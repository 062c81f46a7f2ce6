// SIGKILL of the worker process in the middle of a page: after the heartbeat timeout the page is
// retried by another worker, the message that was in flight is recorded ("the worker stopped while
// processing it") and skipped, and the next pass indexes it — the index ends exact.
import { crawlRequestedSignal } from '../../common/messages';
import { WORKER_STOPPED_REASON } from '../../activities/pipeline/in-flight';
import { WorkerHarness } from '../helpers/worker-harness';
import { mailboxSettings } from '../helpers/mailbox-runs';
import { waitForInFlightHeartbeat, waitForInFlightSet } from '../helpers/in-flight-heartbeat';
import { expectExactIndex } from '../helpers/exact-index';

jest.setTimeout(180_000);

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'mbx-crash', startWorker: false });
}, 120_000);
afterAll(async () => {
  await h?.teardown();
});

it('a worker killed mid-page (SIGKILL) loses nothing: the in-flight message is recorded, then indexed next pass', async () => {
  const mailbox = 'peggy@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 10);
  // One message at a time: the single in-flight case (several: the next test).
  const settings = mailboxSettings(h, { pageSize: 4, pageConcurrency: 1 });
  const child = await h.spawnWorkerProcess();
  h.sim.control.setFaults({ slowDownloadMs: 700 });
  const handle = await h.startMailbox(mailbox, h.request('kill-1', settings), { windowDays: 30 });
  await waitForInFlightHeartbeat(handle, 60_000);
  child.kill('SIGKILL');
  h.sim.control.setFaults({ slowDownloadMs: 0 });
  await h.startWorker();

  // The page is retried only after its 30 s heartbeat timeout.
  const first = await h.waitForReport('kill-1', 120_000);
  expect(first.status).toBe('Completed');
  const failed = await h.failedIds(mailbox);
  expect(failed).toHaveLength(1);
  expect(failed[0]!.reason).toBe(WORKER_STOPPED_REASON);

  await handle.signal(crawlRequestedSignal, h.request('kill-2', settings));
  expect((await h.waitForReport('kill-2')).status).toBe('Completed');
  await expectExactIndex(h, mailbox);
  expect(await h.failedIds(mailbox)).toEqual([]);
});

it('a worker killed with several messages of a page in flight loses and doubles nothing', async () => {
  const mailbox = 'quinn@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 12);
  const settings = mailboxSettings(h, { pageSize: 8, pageConcurrency: 4 });
  await h.stopWorker();
  const child = await h.spawnWorkerProcess();
  h.sim.control.setFaults({ slowDownloadMs: 1_500 });
  const handle = await h.startMailbox(mailbox, h.request('several-1', settings), { windowDays: 30 });
  const seen = await waitForInFlightSet(handle, 60_000, 3);
  child.kill('SIGKILL');
  h.sim.control.setFaults({ slowDownloadMs: 0 });
  await h.startWorker();

  // The page is retried after its heartbeat timeout: every message the server last saw in flight
  // is recorded as stopped (several, not one) and the rest of the page is indexed.
  const first = await h.waitForReport('several-1', 120_000);
  expect(first.status).toBe('Completed');
  const failed = await h.failedIds(mailbox);
  expect(failed.length).toBeGreaterThanOrEqual(2);
  expect(failed.length).toBeLessThanOrEqual(4);
  for (const f of failed) expect(f.reason).toBe(WORKER_STOPPED_REASON);
  expect(failed.some((f) => seen.includes(f.mimecastId))).toBe(true);

  await handle.signal(crawlRequestedSignal, h.request('several-2', settings));
  const second = await h.waitForReport('several-2');
  expect(second.status).toBe('Completed');
  await expectExactIndex(h, mailbox);
  const expected = h.expectedIds(mailbox, 'INBOX').length + h.expectedIds(mailbox, 'SENT').length;
  expect(await h.failedIds(mailbox)).toEqual([]);
  // Each message was indexed exactly once over the two passes: none fetched twice, none lost.
  expect(first.counters.indexed + second.counters.indexed).toBe(expected);
  expect(second.counters.indexed).toBe(failed.length);
});
