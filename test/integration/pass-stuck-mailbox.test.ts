// The liveness check also catches a mailbox workflow that runs but never progresses (docs/architecture.md,
// Mailbox workflows and liveness): one whose workflow task keeps failing and one that no worker picks
// up. The pass records both as failed with the reason and completes instead of waiting for ever.
import type { CrawlArchiveResult } from '../../common/contracts';
import { startStuckMailbox } from '../helpers/stuck-mailbox';
import { presetAddresses, startPass, tinyPassSettings } from '../helpers/tiny-pass';
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
  const settings = tinyPassSettings(h, { parallelism: { mailboxCrawling: 3 } });
  const [alice, bob, carol] = presetAddresses(h, 'alice', 'bob', 'carol');
  await startStuckMailbox(h, bob!, 'failing-workflow-task');
  await startStuckMailbox(h, carol!, 'no-worker');

  const pass = await startPass(h, settings, {
    livenessCheckMs: 2_000,
    stalledChecks: 2,
    mailboxTuning: { windowDays: 60 },
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
