// A pass over 2,500 empty mailboxes (above the server's 2,000 pending-children limit per run):
// it completes, with continue-as-new after at most 500 child starts per run.
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../../common/contracts';
import { PASS_WORKFLOW_TASK_TIMEOUT, passWorkflowId } from '../../../common/contracts';
import { WorkerHarness } from '../../helpers/worker-harness';
import { terminateSource } from '../../helpers/terminate-source';

// On 2 busy cores this takes 15–60 minutes: a slow-tier test, run on its own.
jest.setTimeout(3_600_000);

/** 2,500 by default (above the 2,000 pending-children limit); PASS_SCALE_MAILBOXES for a shorter check. */
const MAILBOXES = Number(process.env.PASS_SCALE_MAILBOXES ?? 2_500);
let h: WorkerHarness;

beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'pass-scale',
    simulator: { preset: 'tiny' },
    // Few workflow tasks at once: a pass task queued behind dozens of mailbox tasks would time out.
    worker: {
      maxConcurrentActivityTaskExecutions: 50,
      maxConcurrentWorkflowTaskExecutions: 8,
      // As workers/main.ts: a sticky timeout would turn the pass's next task into a full replay.
      stickyQueueScheduleToStartTimeout: '30s',
    },
  });
  for (let i = 0; i < MAILBOXES; i++)
    h.sim.control.addMailbox(`user${String(i).padStart(4, '0')}@example.org`, 'example.org', 0);
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it(`completes a pass over ${MAILBOXES} mailboxes, continuing as new along the way`, async () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  // example.com is local (left out); example.org holds carol (empty) and the 2,500 added mailboxes.
  const settings = h.settings({ messages: { startDate: yesterday }, parallelism: { mailboxCrawling: 50 } });
  const handle = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    workflowTaskTimeout: PASS_WORKFLOW_TASK_TIMEOUT,
    args: [{ settings, tuning: { livenessCheckMs: 60_000 } } satisfies CrawlArchiveInput],
  });
  const result = (await handle.result()) as CrawlArchiveResult;
  expect(result.status).toBe('Completed');
  expect(result.mailboxes).toMatchObject({
    total: MAILBOXES + 1,
    dispatched: MAILBOXES + 1,
    completed: MAILBOXES + 1,
  });

  const description = await handle.describe();
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
  expect(firstRunId).toBeTruthy();
  expect(description.runId).not.toBe(firstRunId);
  // Every run stayed below the pending-children limit: at most 500 starts, so at least 5 runs.
  let runs = 0;
  for await (const _ of h.client.workflow.list({ query: `WorkflowId = '${passWorkflowId(h.sourceId)}'` }))
    runs++;
  expect(runs).toBeGreaterThanOrEqual(Math.ceil((MAILBOXES + 1) / 500));
});
