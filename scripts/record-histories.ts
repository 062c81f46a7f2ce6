// Records replay fixtures of this release: real runs of crawlMailbox (adaptive windows, continue-as-new
// mid-pass, a reconcile pass with its sweep, pause/resume, a restart, a stop), crawlArchive (dispatch,
// liveness timer, continue-as-new, the deletion phase) and deleteMailbox, against the running Temporal
// server and Elasticsearch and the in-process simulator. Each run of each workflow is saved as
// test/fixtures/histories/<workflow-type>-<release>-<scenario>-<run>.json (protobuf JSON of
// `fetchHistory()`), which test/replay/mailbox-replay.test.ts replays against today's code.
//
//   npx tsx scripts/record-histories.ts [release]     (release: default the package.json version)
//
// Run it before a release changes a workflow's command sequence, and commit the files: earlier
// releases' fixtures are kept, so every release's histories keep replaying.
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  deleteWorkflowId,
  mailboxWorkflowId,
  passWorkflowId,
  type CrawlArchiveInput,
  type CrawlArchiveResult,
} from '../common/contracts';
import {
  crawlRequestedSignal,
  pauseMailboxSignal,
  restartMailboxUpdate,
  resumeMailboxSignal,
  stopMailboxSignal,
} from '../common/messages';
import type { SourceSettings } from '../common/settings';
import { terminateSource } from '../test/helpers/terminate-source';
import { WorkerHarness } from '../test/helpers/worker-harness';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'test/fixtures/histories');
const DAY = 86_400_000;
const release =
  process.argv[2] ??
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const TYPE_FILE_PREFIX: Record<string, string> = {
  crawlMailbox: 'crawl-mailbox',
  crawlArchive: 'crawl-archive',
  deleteMailbox: 'delete-mailbox',
};

async function recordRuns(h: WorkerHarness, workflowId: string, scenario: string): Promise<string[]> {
  const runs: { runId: string; type: string }[] = [];
  for await (const run of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: run.runId, type: run.type });
  if (runs.length === 0) throw new Error(`no runs of ${workflowId}`);
  const written: string[] = [];
  let i = 0;
  // The visibility list is newest first; fixtures are numbered in run order.
  for (const { runId, type } of runs.reverse()) {
    const prefix = TYPE_FILE_PREFIX[type];
    if (!prefix) throw new Error(`unexpected workflow type ${type}`);
    const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const json = temporal.api.history.v1.History.toObject(
      temporal.api.history.v1.History.fromObject(history),
      {
        longs: String,
        enums: String,
        bytes: String,
      },
    );
    const file = path.join(OUT, `${prefix}-${release}-${scenario}-${++i}.json`);
    writeFileSync(file, JSON.stringify(json));
    written.push(path.relative(ROOT, file));
  }
  return written;
}

async function waitClosed(handle: WorkflowHandle, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One mailbox over many short windows: adaptive growth, continue-as-new mid-pass, reconcile, pause, restart, stop. */
async function recordMailbox(h: WorkerHarness): Promise<string[]> {
  const mailbox = 'recorder@example.com';
  h.sim.control.addMailbox(mailbox, 'example.com', 24);
  const settings = h.settings({
    messages: { startDate: new Date(Date.now() - 45 * DAY).toISOString() },
    performance: { pageSize: 3 },
  });
  const tuning = { windowDays: 2, continueAsNewAfterEvents: 60 };
  const handle = await h.startMailbox(mailbox, h.request('rec-delta', settings), tuning);
  await expectStatus(h, 'rec-delta', 'Completed');

  await handle.signal(crawlRequestedSignal, h.request('rec-reconcile', settings, 'reconcile'));
  await handle.signal(pauseMailboxSignal, { passId: 'rec-reconcile' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await handle.signal(resumeMailboxSignal, { passId: 'rec-reconcile' });
  await expectStatus(h, 'rec-reconcile', 'Completed');

  const current = h.client.workflow.getHandle(handle.workflowId);
  const { passId } = await current.executeUpdate(restartMailboxUpdate, { args: [{ mode: 'delta' }] });
  await expectStatus(h, passId, 'Completed', passId === 'rec-reconcile' ? 2 : 1);

  await current.signal(stopMailboxSignal, { reason: 'recording done' });
  await waitClosed(current);
  return recordRuns(h, handle.workflowId, 'adaptive');
}

async function expectStatus(h: WorkerHarness, passId: string, status: string, nth = 1): Promise<void> {
  const report = await h.waitForReport(passId, 120_000, nth);
  if (report.status !== status) throw new Error(`${passId}: ${report.status} ${report.error ?? ''}`);
}

/** Two passes of a source: the second has a mailbox out of scope, so it deletes it (deleteMailbox). */
async function recordPasses(h: WorkerHarness): Promise<string[]> {
  const settings = (excluded: string[]): SourceSettings =>
    h.settings({
      domains: { includeLocal: true },
      mailboxes: { excluded: ['^bulk@', ...excluded] },
      parallelism: { mailboxCrawling: 3, mailboxDeletion: 1 },
      messages: { startDate: new Date(Date.now() - 100 * DAY).toISOString().slice(0, 10) },
    });
  const written: string[] = [];
  let run = 0;
  const pass = async (s: SourceSettings): Promise<CrawlArchiveResult> => {
    const workflowId = `${passWorkflowId(s.sourceId)}:recorded-${++run}`;
    const handle = await h.client.workflow.start('crawlArchive', {
      taskQueue: h.taskQueue,
      workflowId,
      args: [
        {
          settings: s,
          tuning: { livenessCheckMs: 2_000, maxChildStartsPerRun: 4, mailboxTuning: { windowDays: 30 } },
        } satisfies CrawlArchiveInput,
      ],
    });
    const result = await handle.result();
    written.push(...(await recordRuns(h, workflowId, `pass-${run}`)));
    return result;
  };
  const first = await pass(settings([]));
  if (first.status !== 'Completed') throw new Error(`first pass: ${JSON.stringify(first)}`);
  const dave = h.sim.control
    .mailboxes()
    .find((a) => a.startsWith('dave@'))!
    .toLowerCase();
  written.push(...(await recordRuns(h, mailboxWorkflowId(h.sourceId, dave), 'pass-child')));
  const second = await pass(settings(['^dave@']));
  if (second.status !== 'Completed' || second.deletions.performed !== 1)
    throw new Error(`second pass: ${JSON.stringify(second)}`);
  written.push(...(await recordRuns(h, deleteWorkflowId(h.sourceId, dave), 'pass-2')));
  return written;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // A re-recording of the same release replaces its files (the number of runs may differ).
  for (const file of readdirSync(OUT)) if (file.includes(`-${release}-`)) rmSync(path.join(OUT, file));
  const h = await WorkerHarness.start({ name: 'record-histories', simulator: { preset: 'small' } });
  try {
    const written = [...(await recordMailbox(h)), ...(await recordPasses(h))];
    for (const file of written) console.log(file);
  } finally {
    await terminateSource(h.client, h.sourceId).catch(() => undefined);
    await h.teardown();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
