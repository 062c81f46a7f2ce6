// Scale-out: two worker processes on one task queue share a pass. Each has its own API budget for
// the one app (the simulator's per-app quota is shared), both run page activities, and the index
// ends exact — nothing lost or doubled by the split.
import { passWorkflowId, type CrawlArchiveInput, type CrawlArchiveResult } from '../../common/contracts';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(240_000);

let h: WorkerHarness;

beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'scale-out',
    // Latency makes pages last long enough that both workers get some; the quota is shared.
    simulator: { preset: 'small', faults: { latencyMs: 20, rateLimit: { limit: 400, windowMs: 1000 } } },
    startWorker: false,
  });
}, 120_000);

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

/** The identities of the workers that started activities of the source's workflows (every run). */
async function activityWorkers(): Promise<Set<string>> {
  const identities = new Set<string>();
  const query = `MimecastSource = "${h.sourceId}"`;
  for await (const execution of h.client.workflow.list({ query })) {
    const handle = h.client.workflow.getHandle(execution.workflowId, execution.runId);
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}

it('two worker processes on one task queue both crawl, and the index is exact', async () => {
  const workers = [await h.spawnWorkerProcess(), await h.spawnWorkerProcess()];
  const settings = h.settings({
    domains: { includeLocal: true },
    messages: { startDate: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10) },
    parallelism: { mailboxCrawling: 4 },
    performance: { pageSize: 25 },
  });
  const handle = await h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [{ settings, tuning: { mailboxTuning: { windowDays: 120 } } } satisfies CrawlArchiveInput],
  });
  const result = (await handle.result()) as CrawlArchiveResult;
  expect(result.status).toBe('Completed');
  expect(result.mailboxes.failed).toBe(0);

  const all = h.realMailboxes();
  const pids = workers.map((w) => String(w.pid));
  // Both processes ran activities (an identity is "<pid>@<host>"); visibility may lag a moment.
  const ranOnBoth = async () => {
    const identities = [...(await activityWorkers())];
    return pids.every((pid) => identities.some((id) => id.startsWith(`${pid}@`)));
  };
  let both = await ranOnBoth();
  for (let i = 0; i < 10 && !both; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    both = await ranOnBoth();
  }
  expect(both).toBe(true);

  for (const address of all) {
    for (const view of ['INBOX', 'SENT'] as const) {
      expect(await h.indexedIds(address, view)).toEqual(h.expectedIds(address, view));
    }
  }
  expect(result.messages.indexed).toBe(
    all.reduce((n, a) => n + h.expectedIds(a, 'INBOX').length + h.expectedIds(a, 'SENT').length, 0),
  );
  expect(result.messages.failed).toBe(0);
});
