// crawlMailbox end to end with the real Temporal server, the real Elasticsearch and the simulator:
// exact index under every list order (incl. one busy second across page boundaries), and a delta
// pass that fetches only what is new or arrived late within the overlap.
import { VIEWS, mailboxWorkflowId } from '../../common/contracts';
import { crawlRequestedSignal } from '../../common/messages';
import { CrawlStatus, MessagesIndexed, MimecastMailbox } from '../../common/search-attributes';
import { WorkerHarness } from '../helpers/worker-harness';

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
  return h.settings({
    messages: { startDate: new Date(Date.now() - 45 * DAY).toISOString() },
    performance: { pageSize },
  });
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
  for (const view of VIEWS) expect(await h.indexedIds(mailbox, view)).toEqual(h.expectedIds(mailbox, view));
  expect(await h.indexedIds(mailbox, 'INBOX')).toContain(late.id);
});
