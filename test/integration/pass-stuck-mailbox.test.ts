// The liveness check also catches a mailbox workflow that runs but never progresses (docs/architecture.md,
// Mailbox workflows and liveness): one whose workflow task keeps failing and one that no worker picks
// up. The pass records both as failed with the reason and completes instead of waiting for ever.
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import { passWorkflowId } from '../../common/contracts';
import { startStuckMailbox } from '../helpers/stuck-mailbox';
import { terminateSource } from '../helpers/terminate-source';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(180_000);

let h: WorkerHarness;

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'pass-stuck', simulator: { preset: 'tiny' } });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('records running mailboxes that make no progress as failed, with the reason, and completes the pass', async () => {
  const settings = h.settings({
    domains: { includeLocal: true },
    parallelism: { mailboxCrawling: 3 },
    messages: { startDate: new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10) },
  });
  const [alice, bob, carol] = ['alice@', 'bob@', 'carol@'].map((local) =>
    h.sim.control.mailboxes().find((a) => a.startsWith(local))!,
  );
  await startStuckMailbox(h.client, {
    sourceId: h.sourceId,
    address: bob!,
    taskQueue: h.taskQueue,
    kind: 'failing-workflow-task',
  });
  await startStuckMailbox(h.client, {
    sourceId: h.sourceId,
    address: carol!,
    taskQueue: h.taskQueue,
    kind: 'no-worker',
  });

  const pass = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [
      {
        settings,
        tuning: { livenessCheckMs: 2_000, stalledChecks: 2, mailboxTuning: { windowDays: 60 } },
      } satisfies CrawlArchiveInput,
    ],
  });
  const result = (await pass.result()) as CrawlArchiveResult;
  expect(result.status).toBe('CompletedWithFailures');
  expect(result.mailboxes).toMatchObject({ total: 3, completed: 1, failed: 2, inFlight: 0 });
  const reasons = Object.fromEntries(result.failedMailboxes.map((f) => [f.address, f.reason]));
  expect(Object.keys(reasons).sort()).toEqual([bob!, carol!].map((a) => a.toLowerCase()).sort());
  expect(reasons[bob!.toLowerCase()]).toMatch(/running but made no progress.*workflow task has failed/);
  expect(reasons[carol!.toLowerCase()]).toMatch(/running but made no progress/);
  expect(alice).toBeDefined();
});
