// crawlMailbox end to end with the real Temporal server, the real Elasticsearch and the simulator:
// exact index under every list order (incl. one busy second across page boundaries), and a delta
// pass that fetches only what is new or arrived late within the overlap.
import { VIEWS, mailboxWorkflowId } from '../../common/contracts';
import {
  cancelMailboxSignal,
  crawlRequestedSignal,
  mailboxProgressQuery,
  pauseMailboxSignal,
  resumeMailboxSignal,
  stopMailboxSignal,
} from '../../common/messages';
import { CrawlStatus, MessagesIndexed, MimecastMailbox } from '../../common/search-attributes';
import { WorkerHarness } from '../helpers/worker-harness';
import { mailboxSettings } from '../helpers/mailbox-runs';
import { expectExactIndex } from '../helpers/exact-index';

jest.setTimeout(120_000);

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'mbx-crawl' });
}, 120_000);
afterAll(async () => {
  await h?.teardown();
});

const DAY = 86_400_000;
const tuning = { windowDays: 30 };
function settings(pageSize = 5) {
  return mailboxSettings(h, { pageSize });
}

const mailboxFor = {
  'newest-first': 'alice@example.com',
  'oldest-first': 'bob@example.com',
  unstable: 'carol@example.org',
} as const;

describe.each(Object.keys(mailboxFor) as (keyof typeof mailboxFor)[])('list order %s', (order) => {
  it('indexes exactly the expected documents, including 12 messages of one second across pages of 5', async () => {
    const mailbox = mailboxFor[order];
    h.sim.control.setSwitches({ listOrder: order });
    h.sim.control.addMessages(mailbox, 12, { sameSecond: true, received: new Date(Date.now() - 5 * DAY) });
    const passId = `pass-${order}`;
    const handle = await h.startMailbox(mailbox, h.request(passId, settings()), tuning);
    const report = await h.waitForReport(passId);
    expect(report).toMatchObject({ status: 'Completed', viewsCompleted: ['INBOX', 'SENT'] });
    let expectedTotal = 0;
    for (const view of VIEWS) {
      const expected = h.expectedIds(mailbox, view);
      expectedTotal += expected.length;
      expect(await h.indexedIds(mailbox, view)).toEqual(expected);
    }
    expect(expectedTotal).toBeGreaterThanOrEqual(12);
    expect(report.counters.indexed).toBe(expectedTotal);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(CrawlStatus)).toBe('Completed');
    expect(described.typedSearchAttributes.get(MessagesIndexed)).toBe(expectedTotal);
    expect(described.typedSearchAttributes.get(MimecastMailbox)).toBe(mailbox);
  });
});

it('a second pass fetches only new and late-within-overlap messages and creates no duplicates', async () => {
  h.sim.control.setSwitches({ listOrder: 'newest-first' });
  const mailbox = 'dave@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 6);
  await h.startMailbox(mailbox, h.request('delta-1', settings()), tuning);
  expect((await h.waitForReport('delta-1')).status).toBe('Completed');

  const added = h.sim.control.addMessages(mailbox, 3);
  const late = h.sim.control.addLateMessage(mailbox, 'INBOX', new Date(Date.now() - 20 * 60_000));
  h.sim.control.resetCounters();
  const handle = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, mailbox));
  await handle.signal(crawlRequestedSignal, h.request('delta-2', settings()));
  const report = await h.waitForReport('delta-2');

  expect(report.status).toBe('Completed');
  expect(report.counters.indexed).toBe(added.length + 1);
  expect(h.sim.control.counters()['/api/archive/get-message-part']).toBe(added.length + 1);
  await expectExactIndex(h, mailbox);
  expect(await h.indexedIds(mailbox, 'INBOX')).toContain(late.id);
});

it('pause holds a pass, resume continues it, cancel ends it after the current page, and stop closes the workflow', async () => {
  const mailbox = 'olivia@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 16);
  h.sim.control.setFaults({ slowDownloadMs: 100 });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const handle = await h.startMailbox(mailbox, h.request('ctl-1', settings(2)), tuning);
    await handle.signal(pauseMailboxSignal, { passId: 'ctl-1' });
    await sleep(1500);
    const paused = await handle.query(mailboxProgressQuery);
    await sleep(1500);
    expect(paused.paused).toBe(true);
    expect((await handle.query(mailboxProgressQuery)).pagesDone).toBe(paused.pagesDone);

    await handle.signal(resumeMailboxSignal, { passId: 'ctl-1' });
    const deadline = Date.now() + 30_000;
    while (
      (await handle.query(mailboxProgressQuery)).pagesDone <= paused.pagesDone + 1 &&
      Date.now() < deadline
    )
      await sleep(100);
    await handle.signal(cancelMailboxSignal, { passId: 'ctl-1', reason: 'test' });
    const cancelled = await h.waitForReport('ctl-1');
    expect(cancelled.status).toBe('Cancelled');
    const after = await handle.query(mailboxProgressQuery);
    expect(after.status).toBe('Cancelled');
    expect(after.paused).toBe(false);

    h.sim.control.setFaults({ slowDownloadMs: 0 });
    await handle.signal(crawlRequestedSignal, h.request('ctl-2', settings()));
    expect((await h.waitForReport('ctl-2')).status).toBe('Completed');
    await expectExactIndex(h, mailbox);

    await handle.signal(stopMailboxSignal, { reason: 'deleting' });
    await expect(handle.result()).resolves.toBeUndefined();
  } finally {
    h.sim.control.setFaults({ slowDownloadMs: 0 });
  }
});
