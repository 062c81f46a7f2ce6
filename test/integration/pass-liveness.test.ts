// The liveness check (docs/architecture.md, Mailbox workflows and liveness): a mailbox workflow terminated
// mid-pass never reports; the pass records it as failed at its next check and completes instead of waiting
// forever.
import { passResult } from '../../client/pass-result';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import { mailboxWorkflowId, passWorkflowId } from '../../common/contracts';
import { passProgressQuery } from '../../common/messages';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';
import { presetAddresses, startPass, tinyPassSettings } from '../helpers/tiny-pass';

jest.setTimeout(180_000);

let h: WorkerHarness;

beforeAll(async () => {
  // Slow API calls keep alice (12 messages) busy long enough to be terminated mid-crawl.
  h = await WorkerHarness.start({
    name: 'pass-liveness',
    simulator: { preset: 'tiny', faults: { latencyMs: 150 } },
  });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('records a mailbox terminated mid-pass as failed and completes the pass', async () => {
  const settings = tinyPassSettings(h, { parallelism: { mailboxCrawling: 3 } });
  const pass = await startPass(h, settings, { livenessCheckMs: 2_000, mailboxTuning: { windowDays: 60 } });
  const alice = presetAddresses(h, 'alice')[0]!.toLowerCase();
  const mailbox = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, alice));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const described = await mailbox.describe().catch(() => undefined);
    if (described?.status.name === 'RUNNING') break;
    if (Date.now() > deadline) throw new Error('alice was never dispatched');
    await sleep(200);
  }
  const progress = await pass.query(passProgressQuery);
  expect(progress.status).toBe('Crawling');
  await mailbox.terminate('simulated loss of a mailbox workflow');

  const result = (await pass.result()) as CrawlArchiveResult;
  expect(result.status).toBe('CompletedWithFailures');
  expect(result.mailboxes).toMatchObject({ total: 3, completed: 2, failed: 1, inFlight: 0 });
  expect(result.failedMailboxes).toEqual([
    expect.objectContaining({ address: alice, kind: 'mailbox', reason: expect.stringMatching(/TERMINATED/) }),
  ]);
});

describe('source errors fail the pass with one actionable message', () => {
  async function passOf(sourceId: string): Promise<CrawlArchiveResult> {
    const settings = { ...tinyPassSettings(h), sourceId };
    // A source error fails the workflow; its details carry the progress.
    return passResult(
      await h.client.workflow.start('crawlArchive', {
        taskQueue: h.taskQueue,
        workflowId: passWorkflowId(sourceId),
        args: [
          {
            settings,
            tuning: { livenessCheckMs: 5_000, mailboxTuning: { windowDays: 60 } },
          } satisfies CrawlArchiveInput,
        ],
      }),
    );
  }

  afterEach(() => h.sim.control.setSwitches({ roleMissingEndpoints: [] }));

  it('when the directory refuses the snapshot', async () => {
    h.sim.control.setSwitches({ roleMissingEndpoints: ['/api/user/get-internal-users'] });
    const result = await passOf(`${h.sourceId}-nodir`);
    expect(result.status).toBe('Failed');
    expect(result.error).toMatch(/Directories › Internal › Read/);
    expect(result.mailboxes.dispatched).toBe(0);
  });

  it('when mailboxes meet a source error mid-crawl', async () => {
    h.sim.control.setSwitches({ roleMissingEndpoints: ['/api/archive/get-message-list'] });
    const sourceId = `${h.sourceId}-noarchive`;
    const result = await passOf(sourceId);
    await terminateSource(h.client, sourceId);
    expect(result.status).toBe('Failed');
    expect(result.error).toMatch(/Archive › Search › Read/);
  });
});
