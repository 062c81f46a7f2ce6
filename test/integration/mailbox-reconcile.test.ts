// Reconcile, the watermark and continue-as-new of crawlMailbox, with the real Temporal server,
// Elasticsearch and the simulator. (Replay fixtures: scripts/record-histories.ts.)
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mailboxWorkflowId } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';
import { crawlRequestedSignal } from '../../common/messages';
import { messageDocId } from '../../activities/elastic/document-ids';
import { ensureIndexTemplates } from '../../activities/elastic/index-templates';
import { WorkerHarness } from '../helpers/worker-harness';
import { MAILBOX_TEST_TUNING, mailboxSettings, withPageHooks, type PageHooks } from '../helpers/mailbox-runs';
import { expectExactIndex } from '../helpers/exact-index';

jest.setTimeout(150_000);

const tuning = MAILBOX_TEST_TUNING;
const hooks: PageHooks = {};

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'mbx-reconcile',
    wrapActivities: withPageHooks(hooks),
  });
}, 120_000);
afterEach(() => {
  hooks.afterPage = undefined;
  h.sim.control.setFaults({ rate5xx: 0 });
});
afterAll(async () => {
  await h?.teardown();
});

function settings(pageSize = 4) {
  return mailboxSettings(h, { pageSize });
}

function handleOf(mailbox: string): WorkflowHandle {
  return h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, mailbox));
}

async function pass(mailbox: string, passId: string, mode: 'delta' | 'reconcile' = 'delta') {
  await handleOf(mailbox).signal(crawlRequestedSignal, h.request(passId, settings(), mode));
  return h.waitForReport(passId);
}

it('reconcile removes messages deleted at the source and fetches content only for missing ones', async () => {
  const mailbox = 'ivan@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 12);
  await h.startMailbox(mailbox, h.request('rec-1', settings()), tuning);
  expect((await h.waitForReport('rec-1')).status).toBe('Completed');

  const [gone1, gone2, missing] = h.expectedIds(mailbox, 'INBOX');
  h.sim.control.deleteMessage(mailbox, 'INBOX', gone1!);
  h.sim.control.deleteMessage(mailbox, 'INBOX', gone2!);
  const missingDoc = messageDocId({ source: h.sourceId, mailbox, view: 'INBOX', mimecastId: missing! });
  await h.es.delete({ index: indexNames(h.prefix).messages, id: missingDoc });
  h.sim.control.resetCounters();

  const report = await pass(mailbox, 'rec-2', 'reconcile');
  expect(report.status).toBe('Completed');
  expect(report.counters.deleted).toBe(2);
  expect(report.counters.indexed).toBe(1);
  expect(h.sim.control.counters()['/api/archive/get-message-part']).toBe(1);
  await expectExactIndex(h, mailbox);

  // Interrupted: the INBOX windows do not all complete, so nothing is removed from the index.
  const [gone3] = h.expectedIds(mailbox, 'INBOX');
  h.sim.control.deleteMessage(mailbox, 'INBOX', gone3!);
  hooks.afterPage = (result, input) => {
    if (input.address === mailbox && result.outcome === 'windowComplete')
      h.sim.control.setFaults({ rate5xx: 1 });
  };
  const interrupted = await pass(mailbox, 'rec-3', 'reconcile');
  expect(interrupted.status).toBe('Failed');
  expect(interrupted.counters.deleted).toBe(0);
  expect(await h.indexedIds(mailbox, 'INBOX')).toContain(gone3);
});

it('a dropped index is re-filled by the next delta pass (no watermark, no token)', async () => {
  const mailbox = 'judy@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 10);
  await h.startMailbox(mailbox, h.request('drop-1', settings()), tuning);
  const first = await h.waitForReport('drop-1');
  expect(first.status).toBe('Completed');

  const names = indexNames(h.prefix);
  await h.es.indices.delete({ index: [names.messages, names.attachments, names.state] });
  await ensureIndexTemplates(h.es, h.prefix);
  const second = await pass(mailbox, 'drop-2');
  expect(second.status).toBe('Completed');
  expect(second.counters.indexed).toBe(first.counters.indexed);
  await expectExactIndex(h, mailbox);
});

it('continue-as-new in the middle of a pass (low history threshold) loses nothing', async () => {
  const mailbox = 'mallory@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 24);
  const handle = await h.startMailbox(mailbox, h.request('can-1', settings(3)), {
    ...tuning,
    continueAsNewAfterEvents: 40,
  });
  const report = await h.waitForReport('can-1');
  expect(report.status).toBe('Completed');
  await expectExactIndex(h, mailbox);
  expect(report.counters.indexed).toBe(24);

  // The first run handed the pass over: it ends in continue-as-new without having reported.
  const firstRun = h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  const history = await firstRun.fetchHistory();
  const types = (history.events ?? []).map((e) => String(e.eventType));
  const EventType = temporal.api.enums.v1.EventType;
  expect(types[types.length - 1]).toBe(String(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW));
  expect(types).not.toContain(String(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED));
});
