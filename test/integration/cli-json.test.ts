// `--json` for scripts on the real servers: crawl --wait, status and schedule describe print one
// JSON document on stdout (and nothing else), with the same facts as their text.
import { WorkerHarness } from '../helpers/worker-harness';
import { terminateSource } from '../helpers/terminate-source';
import { tinyPassSettings } from '../helpers/tiny-pass';
import { runCliInProcess, tempDir, writeConfig } from './cli-harness';

jest.setTimeout(180_000);

let h: WorkerHarness;
let env: NodeJS.ProcessEnv;
let config: string;

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'cli-json', simulator: { preset: 'tiny' } });
  env = { TEMPORAL_TASK_QUEUE: h.taskQueue };
  config = writeConfig(tempDir('cli-json'), 'source.json', tinyPassSettings(h));
});

afterAll(async () => {
  if (!h) return;
  await terminateSource(h.client, h.sourceId);
  await h.teardown();
});

function parseOnly(lines: string[]): any {
  // Every stdout line belongs to the document: it must parse as a whole.
  return JSON.parse(lines.join('\n'));
}

it('crawl --wait --json prints the outcome and the progress', async () => {
  const run = await runCliInProcess(['crawl', '--config', config, '--wait', '--json'], env);
  expect(run.code).toBe(0);
  const document = parseOnly(run.lines);
  expect(document).toMatchObject({
    exitCode: 0,
    workflowId: `crawl:${h.sourceId}`,
    outcome: expect.stringMatching(/completed/i),
    progress: { status: 'Completed', mailboxes: { failed: 0 } },
  });
  expect(document.progress.messages.indexed).toBeGreaterThan(0);
});

it('status --json lists the passes and the mailboxes', async () => {
  const run = await runCliInProcess(['status', '--source', h.sourceId, '--prefix', h.prefix, '--json'], env);
  expect(run.code).toBe(0);
  const document = parseOnly(run.lines);
  expect(document.source).toBe(h.sourceId);
  expect(document.passes[0]).toMatchObject({
    workflowId: `crawl:${h.sourceId}`,
    executionStatus: 'COMPLETED',
  });
  const alice = document.mailboxes.find((m: { address: string }) => m.address === 'alice@example.com');
  expect(alice).toMatchObject({ inScope: true, status: 'Completed', failedItems: 0 });
  expect(document.byStatus.Completed).toBeGreaterThan(0);
});

it('status --mailbox --json adds the live detail of the mailbox workflow', async () => {
  const run = await runCliInProcess(
    ['status', '--source', h.sourceId, '--prefix', h.prefix, '--mailbox', 'alice@example.com', '--json'],
    env,
  );
  expect(run.code).toBe(0);
  const document = parseOnly(run.lines);
  expect(document.mailboxes).toHaveLength(1);
  expect(document.detail.progress.messagesIndexedTotal).toBeGreaterThan(0);
});

it('schedule describe --json describes the schedules of the source', async () => {
  const created = await runCliInProcess(
    ['schedule', 'create', '--config', config, '--every', '1h', '--reconcile-every', '7d'],
    env,
  );
  expect(created.code).toBe(0);
  try {
    const run = await runCliInProcess(['schedule', 'describe', '--source', h.sourceId, '--json'], env);
    expect(run.code).toBe(0);
    const document = parseOnly(run.lines);
    expect(document.source).toBe(h.sourceId);
    expect(document.schedules).toEqual([
      expect.objectContaining({
        scheduleId: `crawl-schedule:${h.sourceId}`,
        spec: 'every 1h',
        mode: 'delta',
        taskQueue: h.taskQueue,
        paused: false,
      }),
      expect.objectContaining({ scheduleId: `crawl-schedule:${h.sourceId}:reconcile`, mode: 'reconcile' }),
    ]);
  } finally {
    await runCliInProcess(['schedule', 'delete', '--source', h.sourceId], env);
  }
});
