// restart-mailbox reports to the pass that listed the mailbox as failed (docs/operations.md): while
// that pass still runs, the restarted mailbox moves from failed to done in its counts and report.
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlArchiveResult, PassProgress } from '../../common/contracts';
import { mailboxWorkflowId } from '../../common/contracts';
import { passProgressQuery, restartMailboxUpdate } from '../../common/messages';
import { startStuckMailbox } from '../helpers/stuck-mailbox';
import { terminateSource } from '../helpers/terminate-source';
import { presetAddresses, startPass, tinyPassSettings } from '../helpers/tiny-pass';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(180_000);

/** While set, every page of this address fails for good: its mailbox pass fails. */
let failingAddress: string | undefined;
let h: WorkerHarness;

beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'pass-restart',
    simulator: { preset: 'tiny' },
    wrapActivities: (real) => ({
      ...real,
      async crawlPage(input) {
        if (input.address === failingAddress)
          throw ApplicationFailure.nonRetryable('simulated outage of this mailbox', 'MailboxError');
        return real.crawlPage(input);
      },
    }),
  });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('a mailbox restarted while its pass runs is counted by that pass as done', async () => {
  const [bob, carol] = presetAddresses(h, 'bob', 'carol').map((a) => a.toLowerCase()) as [string, string];
  failingAddress = bob;
  // carol never progresses and the pass does not give up on her yet: the pass stays open meanwhile.
  const stuck = await startStuckMailbox(h, carol, 'no-worker');
  const pass = await startPass(h, tinyPassSettings(h), {
    livenessCheckMs: 1_000,
    stalledChecks: 10_000,
    mailboxTuning: { windowDays: 60, pageRetry: { maximumAttempts: 1 } },
  });
  const progressUntil = async (done: (p: PassProgress) => boolean): Promise<PassProgress> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const progress = await pass.query(passProgressQuery);
      if (done(progress)) return progress;
      if (Date.now() > deadline) throw new Error(`pass progress: ${JSON.stringify(progress)}`);
      await sleep(300);
    }
  };
  const failed = await progressUntil((p) => p.mailboxes.completed === 1 && p.mailboxes.failed === 1);
  expect(failed.failedMailboxes.map((f) => f.address)).toEqual([bob]);

  failingAddress = undefined;
  const restarted = await h.client.workflow
    .getHandle(mailboxWorkflowId(h.sourceId, bob))
    .executeUpdate(restartMailboxUpdate, { args: [{}] });
  expect(restarted.passId).toBe(failed.passId);
  const counted = await progressUntil((p) => p.mailboxes.completed === 2);
  expect(counted.mailboxes.failed).toBe(0);
  expect(counted.failedMailboxes).toEqual([]);

  await stuck.terminate('end of the test');
  const result = (await pass.result()) as CrawlArchiveResult;
  expect(result.mailboxes).toMatchObject({ total: 3, completed: 2, failed: 1 });
  expect(result.failedMailboxes.map((f) => f.address)).toEqual([carol]);
});
