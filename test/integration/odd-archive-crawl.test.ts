// [I] "Never stuck, never silently lost", end to end on the real worker, Temporal and Elasticsearch:
// a pass over the simulator's `odd` preset — list records with missing or malformed fields, and
// messages whose content trickles out for longer than the 30 s page heartbeat timeout — completes
// (`crawl --wait` would exit 0) with every message indexed or recorded with a reason, and no good
// message recorded as failed.
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import { passWorkflowId } from '../../common/contracts';
import { passExitStatus } from '../../client/exit-status';
import { contentTrickles, recordDefect } from '../../simulator/message-faults';
import type { View } from '../../simulator/types';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(420_000);

let h: WorkerHarness;
let result: CrawlArchiveResult;

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'odd-archive', simulator: { preset: 'odd' } });
  const input: CrawlArchiveInput = {
    settings: h.settings({ domains: { includeLocal: true }, parallelism: { mailboxCrawling: 3 } }),
    tuning: { livenessCheckMs: 10_000, mailboxTuning: { windowDays: 120 } },
  };
  const handle = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [input],
  });
  result = await handle.result();
}, 420_000);

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('completes with no failed mailbox: crawl --wait would exit 0', () => {
  expect(result.status).toBe('Completed');
  expect(result.mailboxes.failed).toBe(0);
  expect(passExitStatus(result)).toBe(0);
});

it('indexes every good message (slow ones included) and records every odd record with a reason, nothing else', async () => {
  const faults = h.sim.control.faults();
  let odd = 0;
  let slow = 0;
  for (const address of h.realMailboxes()) {
    const failed = await h.failedIds(address);
    const failedIds = new Set(failed.map((f) => f.mimecastId));
    for (const f of failed) expect(f.reason).toBeTruthy();
    let standIns = 0;
    for (const view of ['INBOX', 'SENT'] as View[]) {
      const indexed = new Set(await h.indexedIds(address, view));
      for (const id of h.expectedIds(address, view)) {
        const defect = recordDefect(faults, id);
        if (contentTrickles(faults, id)) slow += 1;
        if (!defect) {
          expect({ id, indexed: indexed.has(id), failed: failedIds.has(id) }).toEqual({
            id,
            indexed: true,
            failed: false,
          });
          continue;
        }
        odd += 1;
        if (defect === 'no-id') standIns += 1;
        else expect({ id, defect, recorded: failedIds.has(id) }).toEqual({ id, defect, recorded: true });
      }
    }
    // Records without an id are recorded under a stand-in key; nothing else is recorded.
    const recordedStandIns = failed.filter((f) => f.mimecastId.startsWith('unidentified-')).length;
    expect({ address, standIns: recordedStandIns }).toEqual({ address, standIns });
    for (const f of failed) {
      if (f.mimecastId.startsWith('unidentified-')) continue;
      expect({ id: f.mimecastId, odd: recordDefect(faults, f.mimecastId) !== null }).toEqual({
        id: f.mimecastId,
        odd: true,
      });
    }
  }
  // The preset really has both kinds of trouble.
  expect(odd).toBeGreaterThan(3);
  expect(slow).toBeGreaterThan(0);
  expect(result.messages.failed).toBeGreaterThanOrEqual(odd);
});
