// crawlArchive end to end (real Temporal, Elasticsearch, simulator): exactly the in-scope mailboxes,
// the parallelism bound, a second pass reaching running mailboxes by signal, single flight,
// pause/resume/cancel and the pass report.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { CrawlArchiveInput, CrawlArchiveResult } from '../../common/contracts';
import type { CrawlerActivities } from '../../common/activity-contracts';
import { mailboxWorkflowId, passWorkflowId } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';
import {
  cancelPassUpdate,
  mailboxProgressQuery,
  passProgressQuery,
  pausePassUpdate,
  resumePassUpdate,
} from '../../common/messages';
import type { SourceSettings } from '../../common/settings';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';

jest.setTimeout(240_000);

let h: WorkerHarness;
/** Per mailbox and pass: from the start of its first page to the end of its last one. */
const busyIntervals = new Map<string, { start: number; end: number }>();
const crawled = new Set<string>();

function trackBusyMailboxes(activities: CrawlerActivities): CrawlerActivities {
  return {
    ...activities,
    crawlPage: async (input) => {
      crawled.add(input.address);
      const key = `${input.passId} ${input.address}`;
      const interval = busyIntervals.get(key) ?? { start: Date.now(), end: Date.now() };
      busyIntervals.set(key, interval);
      try {
        return await activities.crawlPage(input);
      } finally {
        interval.end = Date.now();
      }
    },
  };
}

/** The most mailboxes busy at the same moment, from the intervals above. */
function maxBusyAtOnce(): number {
  const edges = [...busyIntervals.values()].flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  // Ends before starts at the same instant: touching intervals are not concurrent.
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (now += e.d));
  return max;
}

function settings(): SourceSettings {
  return h.settings({
    domains: { includeLocal: true },
    // `bulk` (350 messages) is left out: the pass must not touch it.
    mailboxes: { excluded: ['^bulk@'] },
    // The preset spans 90 days: one window per view keeps the test short.
    messages: { startDate: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10) },
    parallelism: { mailboxCrawling: 2 },
  });
}

async function startPass(
  workflowId: string,
  input: Partial<CrawlArchiveInput> = {},
): Promise<WorkflowHandle> {
  return h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId,
    args: [
      {
        settings: settings(),
        // Every pass here wakes its mailboxes (dispatch, windows, control); the idle screen that leaves
        // out mailboxes with nothing new has its own test (pass-idle-screen.test.ts).
        tuning: { livenessCheckMs: 10_000, mailboxTuning: { windowDays: 120 }, screenIdleMailboxes: false },
        ...input,
      } satisfies CrawlArchiveInput,
    ],
  });
}

/** Real mailboxes of the simulator (not aliases or distribution lists), minus the excluded one. */
function inScopeMailboxes(): string[] {
  return h.realMailboxes().filter((a) => !a.startsWith('bulk@'));
}

beforeAll(async () => {
  h = await WorkerHarness.start({
    name: 'pass-crawl',
    simulator: { preset: 'small', faults: { latencyMs: 15 } },
    wrapActivities: trackBusyMailboxes,
  });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

describe('a pass over the small preset', () => {
  let first: CrawlArchiveResult;

  beforeAll(async () => {
    const handle = await startPass(passWorkflowId(h.sourceId));
    first = await handle.result();
  });

  it('crawls exactly the in-scope mailboxes and completes', async () => {
    const expected = inScopeMailboxes();
    expect(expected.length).toBe(7);
    expect(first.status).toBe('Completed');
    expect(first.mailboxes).toMatchObject({ total: 7, dispatched: 7, completed: 7, failed: 0, inFlight: 0 });
    expect([...crawled].map((a) => a.toLowerCase()).sort()).toEqual(expected);
    for (const address of expected) {
      expect(await h.indexedIds(address, 'INBOX')).toEqual(h.expectedIds(address, 'INBOX'));
    }
    expect(await h.indexedIds('bulk@example.com', 'INBOX')).toEqual([]);
    expect(first.messages.indexed).toBeGreaterThan(100);
  });

  it('never has more mailboxes busy than parallelism.mailboxCrawling, and uses it', () => {
    expect(busyIntervals.size).toBe(7);
    expect(maxBusyAtOnce()).toBe(2);
  });

  it('writes the pass report', async () => {
    await h.refresh();
    const reports = await h.es.search<{ passId: string; status: string; messagesIndexed: number }>({
      index: indexNames(h.prefix).passes,
      query: { term: { passId: first.passId } },
    });
    expect(reports.hits.hits).toHaveLength(1);
    expect(reports.hits.hits[0]!._source).toMatchObject({
      status: 'Completed',
      messagesIndexed: first.messages.indexed,
    });
  });

  it('a second pass with a schedule-style id reaches the running mailboxes by signal and they report to it', async () => {
    const address = inScopeMailboxes()[0]!;
    const mailbox = h.client.workflow.getHandle(mailboxWorkflowId(h.sourceId, address));
    const before = await mailbox.describe();
    expect(before.status.name).toBe('RUNNING');
    const fresh = h.sim.control.addMessages(address, 3, { view: 'INBOX' });
    const second = await (await startPass(`${passWorkflowId(h.sourceId)}:2026-01-01T00:00:00Z`)).result();
    expect(second.status).toBe('Completed');
    expect(second.passId).not.toBe(first.passId);
    expect(second.mailboxes).toMatchObject({ total: 7, completed: 7, failed: 0 });
    // Same mailbox workflow (signalled, not started again), and the same run: between passes a run
    // waits in place until its history grows (workflows/steady-state.ts).
    const after = await mailbox.describe();
    const firstRunBefore = before.raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunBefore).toBeTruthy();
    expect(after.raw.workflowExecutionInfo?.firstRunId).toBe(firstRunBefore);
    expect(after.runId).toBe(before.runId);
    expect(await h.indexedIds(address, 'INBOX')).toEqual(expect.arrayContaining(fresh.map((m) => m.id)));
    const progress = await mailbox.query(mailboxProgressQuery);
    expect(progress.currentPassId === undefined || progress.currentPassId === second.passId).toBe(true);
  });
});

describe('continue-as-new', () => {
  it('carries the in-flight set and counters across runs and completes', async () => {
    const handle = await startPass(`${passWorkflowId(h.sourceId)}:can-test`, {
      tuning: {
        livenessCheckMs: 10_000,
        maxChildStartsPerRun: 2,
        mailboxTuning: { windowDays: 120 },
        screenIdleMailboxes: false,
      },
    });
    const result = (await handle.result()) as CrawlArchiveResult;
    expect(result.status).toBe('Completed');
    expect(result.mailboxes).toMatchObject({ total: 7, dispatched: 7, completed: 7, failed: 0 });
    let runs = 0;
    for await (const _ of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs++;
    // Two starts (or start attempts) per run: seven mailboxes need at least four runs.
    expect(runs).toBeGreaterThanOrEqual(4);
  });
});

describe('control of a running pass', () => {
  it('pause stops dispatching, a second pass of the source is Skipped, resume finishes the pass', async () => {
    const passA = await startPass(`${passWorkflowId(h.sourceId)}:pause-test`);
    const paused = await passA.executeUpdate(pausePassUpdate);
    expect(paused.paused).toBe(true);
    await sleep(1_500);
    const held = await passA.query(passProgressQuery);
    await sleep(1_500);
    const stillHeld = await passA.query(passProgressQuery);
    expect(stillHeld.mailboxes.dispatched).toBe(held.mailboxes.dispatched);
    expect(stillHeld.mailboxes.dispatched).toBeLessThanOrEqual(2);
    expect(stillHeld.status).not.toBe('Completed');

    const passB = await startPass(passWorkflowId(h.sourceId));
    const skipped = (await passB.result()) as CrawlArchiveResult;
    expect(skipped.status).toBe('Skipped');
    expect(skipped.error).toContain(`crawl:${h.sourceId}:pause-test`);

    const resumed = await passA.executeUpdate(resumePassUpdate);
    expect(resumed.paused).toBe(false);
    const done = (await passA.result()) as CrawlArchiveResult;
    expect(done.status).toBe('Completed');
    expect(done.mailboxes.completed).toBe(7);
  });

  it('cancel stops dispatching, reaches in-flight mailboxes and ends the pass Cancelled', async () => {
    const pass = await startPass(`${passWorkflowId(h.sourceId)}:cancel-test`);
    await pass.executeUpdate(pausePassUpdate);
    const cancelled = await pass.executeUpdate(cancelPassUpdate, { args: [{ reason: 'test' }] });
    expect(cancelled.paused).toBe(true);
    const result = (await pass.result()) as CrawlArchiveResult;
    expect(result.status).toBe('Cancelled');
    expect(result.mailboxes.dispatched).toBeLessThan(7);
    await expect(pass.executeUpdate(resumePassUpdate)).rejects.toThrow();
  });
});
