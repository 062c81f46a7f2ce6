// What an operator sees in the Temporal Web UI (docs/operations.md, Web UI): the static summary of each
// workflow and its current details, read back through the client as the UI reads them (describe, and the
// built-in __temporal_workflow_metadata query) while a pass runs and after it finished. The pass is started
// by the CLI, as an operator would; the simulator's latency keeps it running long enough to look.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { mailboxWorkflowId, passWorkflowId } from '../../common/contracts';
import { mailboxProgressQuery } from '../../common/messages';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';
import { tinyPassSettings } from '../helpers/tiny-pass';
import { runCliInProcess, tempDir, writeConfig } from './cli-harness';

jest.setTimeout(180_000);

let h: WorkerHarness;
/** "INBOX 2024-03-01…03-08 page 3"; a window shorter than a day, or ending now, also shows times. */
const PAGE_SUMMARY = /(INBOX|SENT) \d{4}-\d\d-\d\d( \d\d:\d\d)?…(\d{4}-)?\d\d-\d\d( \d\d:\d\d)? page \d+/;
const PAGE_SUMMARY_PAGE_1 = new RegExp(`^${PAGE_SUMMARY.source.replace('page \\d+', 'page 1')}$`);
const dir = tempDir('web-ui-story');

interface WorkflowMetadata {
  currentDetails?: string;
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

async function staticSummary(handle: WorkflowHandle): Promise<string | undefined> {
  return await (await handle.describe()).staticSummary();
}

/** The summaries of the activities a workflow scheduled, from its history (as the Web UI's timeline shows). */
async function activitySummaries(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const summary = event.activityTaskScheduledEventAttributes ? event.userMetadata?.summary : undefined;
    return summary ? [defaultPayloadConverter.fromPayload<string>(summary)] : [];
  });
}

/** Polls the details until they match, returning them (the last seen ones in the error otherwise). */
async function detailsMatching(handle: WorkflowHandle, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await currentDetails(handle).catch(() => last);
    if (pattern.test(last)) return last;
    await sleep(200);
  }
  throw new Error(`details never matched ${String(pattern)}; last seen:\n${last}`);
}

/** The first value the probe returns without throwing (the workflow may not be started yet). */
async function eventually<T>(probe: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

beforeAll(async () => {
  // Every API call waits: a mailbox of the tiny preset takes tens of seconds, long enough to watch.
  h = await WorkerHarness.start({
    name: 'web-ui-story',
    simulator: { preset: 'tiny', faults: { latencyMs: 300 } },
  });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

test('the pass and its mailboxes show their summary and current details while running and after', async () => {
  const config = writeConfig(dir, 'source.json', tinyPassSettings(h));
  const run = await runCliInProcess(['crawl', '--config', config], { TEMPORAL_TASK_QUEUE: h.taskQueue });
  expect(run.code).toBe(0);

  const pass = h.client.workflow.getHandle(passWorkflowId(h.sourceId));
  expect(await staticSummary(pass)).toBe(`Pass of source ${h.sourceId} (delta)`);

  // Running: the pass says how many of how many mailboxes are done, with its counts.
  const running = await detailsMatching(pass, /^Phase: crawling \d+ of 3 mailboxes \(\d+ in flight\)$/m);
  expect(running).toMatch(/^Mailboxes: 3 total, \d+ completed, 0 failed$/m);
  expect(running).toMatch(/^Messages: [\d,]+ indexed, 0 failed$/m);

  // The mailbox workflow the pass started carries its summary (by key; the key is the address here).
  const alice = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, 'alice@example.com'));
  expect(await eventually(() => staticSummary(alice))).toBe(
    `Mailbox alice@example.com of source ${h.sourceId}`,
  );
  // Running: the mailbox names the view, window and page it is on, and its counts so far.
  const crawling = await detailsMatching(
    alice,
    new RegExp(`^Crawling ${PAGE_SUMMARY.source} \\(delta pass\\)$`, 'm'),
  );
  expect(crawling).toMatch(/^This pass: window \d+ of \d+, \d+ pages, \d+ messages indexed, 0 failed$/m);

  // Speed up, and read the final lines.
  h.sim.control.setFaults({ latencyMs: 0 });
  await pass.result();
  const done = await currentDetails(pass);
  expect(done).toBe(
    [
      'Phase: done (Completed)',
      'Mailboxes: 3 total, 3 completed, 0 failed',
      `Messages: ${done.match(/^Messages: ([\d,]+) indexed/m)?.[1]} indexed, 0 failed`,
    ].join('\n'),
  );
  expect(done).toMatch(/^Messages: [1-9][\d,]* indexed/m);
  expect(await staticSummary(pass)).toBe(`Pass of source ${h.sourceId} (delta)`);

  // The mailbox waits for the next pass, and its activities carried their summaries.
  const idle = await detailsMatching(alice, /^Idle: waiting for the next pass \(last: Completed\)$/m);
  const { messagesIndexedTotal } = await alice.query(mailboxProgressQuery);
  expect(messagesIndexedTotal).toBeGreaterThan(0);
  expect(idle).toMatch(new RegExp(`^Messages indexed in all: ${messagesIndexedTotal}$`, 'm'));
  const summaries = await activitySummaries(alice);
  expect(summaries).toContain('load watermarks');
  expect(summaries.some((s) => PAGE_SUMMARY_PAGE_1.test(s))).toBe(true);
  expect(await activitySummaries(pass)).toContain('snapshot the mailbox directory');
});
