// The steady state (patch `steady-state`): a delta pass of a mailbox with nothing new costs at most
// 3 workflow tasks, 1 activity, 1 search-attribute upsert and 16 history events, counted from the
// real history; a pass with something new still indexes exactly what is new.
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { VIEWS, mailboxWorkflowId } from '../../common/contracts';
import { crawlRequestedSignal, mailboxProgressQuery } from '../../common/messages';
import { MimecastLastPassAt, MimecastPassId } from '../../common/search-attributes';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(120_000);

const EventType = temporal.api.enums.v1.EventType;
const DAY = 86_400_000;

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'mbx-steady' });
}, 120_000);
afterAll(async () => {
  await h?.teardown();
});

function settings() {
  return h.settings({ messages: { startDate: new Date(Date.now() - 60 * DAY).toISOString() } });
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The run's events once its last workflow task completed and nothing moved for a second. */
async function settledEvents(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  let previous = -1;
  for (let i = 0; i < 100; i++) {
    const events = (await handle.fetchHistory()).events ?? [];
    const last = events[events.length - 1];
    if (events.length === previous && last?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
      return events;
    previous = events.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('the history did not settle');
}

/** What one pass cost: the events from the pass's crawlRequested signal to the end of the run. */
function passCost(events: HistoryEvent[], passId: string) {
  const start = events.findIndex((e) => {
    const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
    return data && (JSON.parse(Buffer.from(data).toString('utf8')) as { passId?: string }).passId === passId;
  });
  const pass = events.slice(start);
  const count = (type: number) => pass.filter((e) => e.eventType === type).length;
  return {
    start,
    events: pass.length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    upserts: count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    continuedAsNew: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),
  };
}

it('a delta pass with nothing new costs ≤ 3 workflow tasks, 1 activity, 1 upsert and ≤ 16 events, and moves the tokens', async () => {
  const mailbox = 'idle@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 5);
  await h.startMailbox(mailbox, h.request('steady-1', settings()));
  expect((await h.waitForReport('steady-1')).status).toBe('Completed');
  const handle = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, mailbox));
  await settledEvents(handle);
  const tokensBefore = (await handle.query(mailboxProgressQuery)).tokens;

  await new Promise((resolve) => setTimeout(resolve, 1100)); // the next pass ends one second later
  h.sim.control.resetCounters();
  await handle.signal(crawlRequestedSignal, h.request('steady-2', settings()));
  const report = await h.waitForReport('steady-2');
  const cost = passCost(await settledEvents(handle), 'steady-2');

  expect(report).toMatchObject({ status: 'Completed', viewsCompleted: ['INBOX', 'SENT'] });
  expect(report.counters.indexed).toBe(0);
  expect(cost.start).toBeGreaterThan(0);
  expect(cost).toMatchObject({ activities: 1, upserts: 1, continuedAsNew: 0 });
  expect(cost.workflowTasks).toBeLessThanOrEqual(3);
  expect(cost.events).toBeLessThanOrEqual(16);
  // One list call per view, no content.
  const calls = h.sim.control.counters();
  expect(calls['/api/archive/get-message-list']).toBe(2);
  expect(calls['/api/archive/get-message-part'] ?? 0).toBe(0);
  const progress = await handle.query(mailboxProgressQuery);
  for (const view of VIEWS)
    expect(Date.parse(progress.tokens[view]!)).toBeGreaterThan(Date.parse(tokensBefore[view]!));
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(MimecastPassId)).toBe('steady-2');
  expect(described.typedSearchAttributes.get(MimecastLastPassAt)).toBeInstanceOf(Date);
});

it('a delta pass with one new message falls back to the page crawl for that view and indexes exactly it', async () => {
  const mailbox = 'busy@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 4);
  await h.startMailbox(mailbox, h.request('busy-1', settings()));
  expect((await h.waitForReport('busy-1')).status).toBe('Completed');
  const handle = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, mailbox));
  await settledEvents(handle);

  const added = h.sim.control.addMessages(mailbox, 1);
  h.sim.control.resetCounters();
  await handle.signal(crawlRequestedSignal, h.request('busy-2', settings()));
  const report = await h.waitForReport('busy-2');
  const cost = passCost(await settledEvents(handle), 'busy-2');

  expect(report.status).toBe('Completed');
  expect(report.counters.indexed).toBe(added.length);
  expect(h.sim.control.counters()['/api/archive/get-message-part']).toBe(added.length);
  // The probe, then one page of the view that received the message.
  expect(cost.activities).toBe(2);
  for (const view of VIEWS) expect(await h.indexedIds(mailbox, view)).toEqual(h.expectedIds(mailbox, view));
});
