// The pass report records who or what started the pass: the CLI (user and host, from its Temporal
// identity), a schedule (its id, from the run's TemporalScheduledById search attribute), or any
// other client (its Temporal identity). Real Temporal, Elasticsearch and the simulator.
import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import type { CrawlArchiveInput } from '../../common/contracts';
import type { PassStarter } from '../../common/activity-contracts';
import { passWorkflowId } from '../../common/contracts';
import { indexNames, type PassReportDocument } from '../../common/node/documents';
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';
import { tinyStartDate } from '../helpers/tiny-pass';
import { runCliInProcess, tempDir, writeConfig } from './cli-harness';

jest.setTimeout(240_000);

let h: WorkerHarness;

function settings() {
  return h.settings({ messages: { startDate: tinyStartDate() } });
}

/** The report of the one pass that finished after `since` (ISO), once it is written. */
async function nextReport(since: string, timeoutMs = 120_000): Promise<PassReportDocument> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.refresh();
    const response = await h.es.search<PassReportDocument>({
      index: indexNames(h.prefix).passes,
      query: {
        bool: { filter: [{ term: { source: h.sourceId } }, { range: { finishedAt: { gt: since } } }] },
      },
    });
    const hit = response.hits.hits[0]?._source;
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no pass report after ${since}`);
    await sleep(500);
  }
}

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'pass-starter', simulator: { preset: 'tiny' } });
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

it('names the CLI user and host for `crawl --wait`', async () => {
  const since = new Date().toISOString();
  const path = writeConfig(tempDir('pass-starter'), 'source.json', settings());
  const run = await runCliInProcess(['crawl', '--config', path, '--wait'], {
    TEMPORAL_TASK_QUEUE: h.taskQueue,
  });
  expect(run.code).toBe(0);
  const report = await nextReport(since);
  expect(report.startedBy).toEqual<PassStarter>({
    kind: 'cli',
    user: userInfo().username,
    host: hostname(),
    identity: `mimecast-crawler-cli ${userInfo().username}@${hostname()}`,
  });
});

it('names the schedule of a scheduled pass', async () => {
  const since = new Date().toISOString();
  const scheduleId = `crawl-schedule:${h.sourceId}`;
  const schedule = await h.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '365d' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'crawlArchive',
      workflowId: `${passWorkflowId(h.sourceId)}:scheduled`,
      taskQueue: h.taskQueue,
      args: [{ settings: settings() } satisfies CrawlArchiveInput],
    },
  });
  try {
    await schedule.trigger();
    const report = await nextReport(since);
    expect(report.startedBy).toMatchObject({ kind: 'schedule', scheduleId });
  } finally {
    await schedule.delete();
  }
});

it('names the Temporal identity of any other client', async () => {
  const since = new Date().toISOString();
  const client = new Client({
    connection: h.client.connection,
    namespace: 'default',
    identity: 'ops-bot@runner-7',
  });
  const handle = await client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [{ settings: settings() } satisfies CrawlArchiveInput],
  });
  await handle.result();
  const report = await nextReport(since);
  expect(report.startedBy).toEqual<PassStarter>({ kind: 'temporal', identity: 'ops-bot@runner-7' });
});
