// No mailbox workflow waits for ever (docs/architecture.md, Error scopes): a stop or cancel that
// arrives while the watermarks load ends cleanly, and a programming error in workflow code fails the
// workflow (a recorded end the pass's liveness check sees) instead of retrying its task for ever.
import type { WorkflowHandle } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { mailboxWorkflowId, type CrawlMailboxInput } from '../../common/contracts';
import { cancelMailboxSignal, crawlRequestedSignal, stopMailboxSignal } from '../../common/messages';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(120_000);

/** loadWatermarks waits for `release()` while `hold` is set: a signal then lands mid-activity. */
const gate: { hold: boolean; started?: () => void; release?: () => void } = { hold: false };
let h: WorkerHarness;

beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'mbx-never-stuck',
    wrapActivities: (real) => ({
      ...real,
      async loadWatermarks(input) {
        if (gate.hold) {
          gate.started?.();
          await new Promise<void>((resolve) => (gate.release = resolve));
        }
        return real.loadWatermarks(input);
      },
    }),
  });
}, 120_000);
afterEach(() => {
  gate.hold = false;
  gate.release?.();
});
afterAll(async () => {
  await h?.teardown();
});

function settings() {
  return h.settings({ messages: { startDate: new Date(Date.now() - 30 * 86_400_000).toISOString() } });
}

async function statusOf(handle: WorkflowHandle, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING' || Date.now() > deadline) return status.name;
    await sleep(200);
  }
}

/** Starts a mailbox whose first loadWatermarks is held until the returned release is called. */
async function startHeld(mailbox: string, passId: string) {
  h.sim.control.addMailbox(mailbox, 'example.com', 4);
  gate.hold = true;
  const started = new Promise<void>((resolve) => (gate.started = resolve));
  const handle = await h.startMailbox(mailbox, h.request(passId, settings()));
  await started;
  gate.hold = false;
  return { handle, release: () => gate.release?.() };
}

it('a stop that arrives while the watermarks load closes the workflow and reports the request cancelled', async () => {
  const { handle, release } = await startHeld('stop-during-load@example.com', 'held-stop');
  await handle.signal(stopMailboxSignal, { reason: 'leaving the scope' });
  const report = await h.waitForReport('held-stop');
  expect(report).toMatchObject({ status: 'Cancelled', error: expect.stringMatching(/leaving the scope/) });
  release();
  expect(await statusOf(handle)).toBe('COMPLETED');
});

it('a cancel that arrives while the watermarks load drops that pass, and the next request still runs', async () => {
  const { handle, release } = await startHeld('cancel-during-load@example.com', 'held-cancel');
  await handle.signal(cancelMailboxSignal, { passId: 'held-cancel', reason: 'operator' });
  expect(await h.waitForReport('held-cancel')).toMatchObject({ status: 'Cancelled' });
  release();
  await handle.signal(crawlRequestedSignal, h.request('after-cancel', settings()));
  expect(await h.waitForReport('after-cancel')).toMatchObject({ status: 'Completed' });
  expect(await statusOf(handle, 1_000)).toBe('RUNNING');
});

it('a programming error in workflow code fails the workflow instead of retrying its task for ever', async () => {
  // A carried pass without its request: the workflow code reads pass.request and meets a TypeError.
  const input: CrawlMailboxInput = {
    sourceId: h.sourceId,
    address: 'broken-state@example.com',
    mailboxKey: 'broken-state@example.com',
    domain: 'example.com',
    state: { version: 1, pass: { views: [] } },
  };
  const handle = await h.client.workflow.start('crawlMailbox', {
    taskQueue: h.taskQueue,
    workflowId: mailboxWorkflowId(h.sourceId, input.mailboxKey),
    args: [input],
  });
  expect(await statusOf(handle)).toBe('FAILED');
  // The TypeError of reading the missing request (its property name depends on which line meets it first).
  await expect(handle.result()).rejects.toMatchObject({
    cause: expect.objectContaining({ message: expect.stringMatching(/Cannot read properties of undefined/) }),
  });
});
