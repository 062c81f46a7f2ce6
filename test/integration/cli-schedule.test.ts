// The schedule commands against the real Temporal dev server: create (with a reconcile schedule),
// describe, update, pause/unpause, trigger (a pass starts under crawl:<sourceId>) and delete.
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlArchiveInput } from '../../common/contracts';
import { MimecastSource } from '../../common/search-attributes';
import { runCliInProcess, spawnCli, tempDir, uniqueId, writeConfig } from './cli-harness';

jest.setTimeout(90_000);

const sourceId = uniqueId('cli-sched');
const taskQueue = uniqueId('cli-sched-q');
const env = { TEMPORAL_TASK_QUEUE: taskQueue };
const dir = tempDir('cli-schedule');
const settings = { sourceId, messages: { startDate: '2024-01-01' }, index: { prefix: sourceId } };
const config = writeConfig(dir, 'source.json', settings);
let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const id of [`crawl-schedule:${sourceId}`, `crawl-schedule:${sourceId}:reconcile`]) {
    await client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  }
  for await (const wf of client.workflow.list({
    query: `MimecastSource='${sourceId}' AND ExecutionStatus='Running'`,
  })) {
    await client.workflow
      .getHandle(wf.workflowId)
      .terminate('test cleanup')
      .catch(() => undefined);
  }
  await connection.close();
});

describe('schedule commands', () => {
  it('create makes a delta and a reconcile schedule with BUFFER_ONE, a catch-up window and pause on failure', async () => {
    const run = await runCliInProcess(
      [
        'schedule',
        'create',
        '--config',
        config,
        '--every',
        '1h',
        '--reconcile-every',
        '7d',
        '--catchup-window',
        '2h',
      ],
      env,
    );
    expect(run.text).toContain(`Created schedule crawl-schedule:${sourceId} (every 1h)`);
    expect(run.code).toBe(0);

    const delta = await client.schedule.getHandle(`crawl-schedule:${sourceId}`).describe();
    expect(delta.policies).toMatchObject({
      overlap: ScheduleOverlapPolicy.BUFFER_ONE,
      catchupWindow: 7_200_000,
      pauseOnFailure: true,
    });
    expect(delta.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(delta.typedSearchAttributes.get(MimecastSource)).toBe(sourceId);
    const action = delta.action as {
      workflowType: string;
      workflowId: string;
      taskQueue: string;
      args: CrawlArchiveInput[];
    };
    expect(action).toMatchObject({
      workflowType: 'crawlArchive',
      workflowId: `crawl:${sourceId}:scheduled`,
      taskQueue,
    });
    expect(action.args[0].settings.sourceId).toBe(sourceId);
    expect(action.args[0].options).toEqual({});

    const reconcile = await client.schedule.getHandle(`crawl-schedule:${sourceId}:reconcile`).describe();
    expect(reconcile.spec.intervals?.map((i) => i.every)).toEqual([7 * 86_400_000]);
    expect((reconcile.action as { args: CrawlArchiveInput[] }).args[0].options).toEqual({
      ignoreDeltaTokens: true,
    });

    const again = await runCliInProcess(['schedule', 'create', '--config', config, '--every', '1h'], env);
    expect(again.code).toBe(1);
    expect(again.text).toContain('already exists; use: schedule update');
  });

  it('describe (run as a real process) shows times and policies', async () => {
    const run = await spawnCli(['schedule', 'describe', '--source', sourceId], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Schedule crawl-schedule:${sourceId}`);
    expect(run.stdout).toMatch(/spec +every 1h/);
    expect(run.stdout).toMatch(/overlap +BUFFER_ONE/);
    expect(run.stdout).toMatch(/pause on failure +true/);
    expect(run.stdout).toMatch(/mode +reconcile/);
  });

  it('update replaces the settings and the times', async () => {
    const changed = writeConfig(dir, 'changed.json', { ...settings, performance: { pageSize: 321 } });
    const run = await runCliInProcess(['schedule', 'update', '--config', changed, '--every', '30m'], env);
    expect(run.code).toBe(0);
    const delta = await client.schedule.getHandle(`crawl-schedule:${sourceId}`).describe();
    expect(delta.spec.intervals?.map((i) => i.every)).toEqual([1_800_000]);
    expect((delta.action as { args: CrawlArchiveInput[] }).args[0].settings.performance?.pageSize).toBe(321);
    expect(delta.policies.overlap).toBe(ScheduleOverlapPolicy.BUFFER_ONE);
    // The reconcile schedule keeps its times but gets the new settings.
    const reconcile = await client.schedule.getHandle(`crawl-schedule:${sourceId}:reconcile`).describe();
    expect(reconcile.spec.intervals?.map((i) => i.every)).toEqual([7 * 86_400_000]);
    expect((reconcile.action as { args: CrawlArchiveInput[] }).args[0].settings.performance?.pageSize).toBe(
      321,
    );
  });

  it('pause and unpause act on both schedules', async () => {
    expect(
      (await runCliInProcess(['schedule', 'pause', '--source', sourceId, '--note', 'maintenance'], env)).code,
    ).toBe(0);
    for (const id of [`crawl-schedule:${sourceId}`, `crawl-schedule:${sourceId}:reconcile`]) {
      const d = await client.schedule.getHandle(id).describe();
      expect(d.state).toMatchObject({ paused: true, note: 'maintenance' });
    }
    expect((await runCliInProcess(['schedule', 'unpause', '--source', sourceId], env)).code).toBe(0);
    expect((await client.schedule.getHandle(`crawl-schedule:${sourceId}`).describe()).state.paused).toBe(
      false,
    );
  });

  it('trigger starts a crawlArchive pass whose id has the crawl:<sourceId> prefix', async () => {
    const run = await runCliInProcess(['schedule', 'trigger', '--source', sourceId], env);
    expect(run.code).toBe(0);
    let started: string | undefined;
    for (let i = 0; i < 40 && !started; i++) {
      const d = await client.schedule.getHandle(`crawl-schedule:${sourceId}`).describe();
      started = d.info.recentActions[0]?.action.workflow.workflowId;
      if (!started) await sleep(250);
    }
    expect(started).toMatch(new RegExp(`^crawl:${sourceId}:scheduled-`));
    const description = await client.workflow.getHandle(started!).describe();
    expect(description.type).toBe('crawlArchive');
    expect(description.taskQueue).toBe(taskQueue);
    expect(description.typedSearchAttributes.get(MimecastSource)).toBe(sourceId);
  });

  it('delete removes both schedules', async () => {
    const run = await runCliInProcess(['schedule', 'delete', '--source', sourceId], env);
    expect(run.code).toBe(0);
    for (const id of [`crawl-schedule:${sourceId}`, `crawl-schedule:${sourceId}:reconcile`]) {
      await expect(client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    }
    const gone = await runCliInProcess(['schedule', 'describe', '--source', sourceId], env);
    expect(gone.code).toBe(1);
  });
});
