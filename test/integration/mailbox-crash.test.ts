// SIGKILL of the worker process in the middle of a page: after the heartbeat timeout the page is
// retried by another worker, the message that was in flight is recorded ("the worker stopped while
// processing it") and skipped, and the next pass indexes it — the index ends exact.
import { crawlRequestedSignal } from '../../common/messages';
import { WORKER_STOPPED_REASON } from '../../activities/crawl-page';
import { WorkerHarness } from '../helpers/worker-harness';
import { waitForInFlightHeartbeat } from '../helpers/in-flight-heartbeat';
import { expectExactIndex } from '../helpers/exact-index';

jest.setTimeout(180_000);

const DAY = 86_400_000;

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
  const settings = h.settings({
    messages: { startDate: new Date(Date.now() - 45 * DAY).toISOString() },
    performance: { pageSize: 4 },
  });
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
