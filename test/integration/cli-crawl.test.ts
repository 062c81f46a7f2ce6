// End-to-end runs of the CLI against the real Temporal and Elasticsearch with a worker and the
// simulator in-process (test/helpers/worker-harness.ts): crawl --wait and each exit status,
// pause/resume/cancel, status with no worker running, restart-mailbox and retry-failed.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mailboxWorkflowId, type MailboxProgress } from '../../common/contracts';
import { mailboxProgressQuery } from '../../common/messages';
import { CrawlStatus, MimecastSource } from '../../common/search-attributes';
import { WorkerHarness } from '../helpers/worker-harness';
import { runCliInProcess, spawnCli, tempDir, writeConfig } from './cli-harness';
import { terminateSource } from '../helpers/terminate-source';
import { tinyPassSettings } from '../helpers/tiny-pass';

jest.setTimeout(180_000);

let h: WorkerHarness;
let env: NodeJS.ProcessEnv;
const dir = tempDir('cli-crawl');
const sources: string[] = [];

/** A configuration file for one source of this suite, against the harness's simulator. */
function config(
  name: string,
  suffix: string,
  overrides: Record<string, object> = {},
): { path: string; sourceId: string } {
  const base = tinyPassSettings(h, overrides);
  const sourceId = suffix ? `${h.sourceId}-${suffix}` : h.sourceId;
  if (!sources.includes(sourceId)) sources.push(sourceId);
  return { path: writeConfig(dir, `${name}.json`, { ...base, sourceId }), sourceId };
}

async function mailboxProgress(sourceId: string, address: string): Promise<MailboxProgress> {
  return h.client.workflow.getHandle(mailboxWorkflowId(sourceId, address)).query(mailboxProgressQuery);
}

/** Mimecast ids indexed for one mailbox view of a source of this suite. */
async function indexedIds(sourceId: string, mailbox: string, view: 'INBOX' | 'SENT'): Promise<string[]> {
  await h.refresh();
  const response = await h.es.search<{ mimecastId: string }>({
    index: `${h.prefix}-messages`,
    size: 1000,
    _source: ['mimecastId'],
    query: { bool: { filter: [{ term: { source: sourceId } }, { term: { mailbox } }, { term: { view } }] } },
  });
  return response.hits.hits.map((hit) => hit._source!.mimecastId).sort();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'cli-crawl', simulator: { preset: 'tiny' } });
  env = { TEMPORAL_TASK_QUEUE: h.taskQueue };
});

afterAll(async () => {
  if (!h) return;
  for (const sourceId of sources) await terminateSource(h.client, sourceId);
  await h.teardown();
});

describe('crawl --wait', () => {
  it('runs a pass as a real process, shows plain progress without a TTY, and exits 0 with item failures listed', async () => {
    const { path, sourceId } = config('main', '');
    // Two item failures: listed in the summary, not fatal (docs/architecture.md, Commands and environment).
    const bobIds = h.sim.control.expectedMessages('bob@example.com', 'INBOX').map((m) => m.id);
    h.sim.control.setFaults({ failIds: bobIds.slice(0, 2) });
    const run = await spawnCli(['crawl', '--config', path, '--wait'], env);
    h.sim.control.setFaults({ failIds: [] });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Started delta pass of source ${sourceId}: workflow crawl:${sourceId}`);
    expect(run.stdout).toMatch(/\[(Enumerating|Crawling)\] mailboxes \d+\/\d+/);
    expect(run.stdout).toMatch(/Completed \(delta\)/);
    expect(run.stdout).toMatch(/messages: +\d+ indexed/);
    expect(run.stdout).toMatch(/[1-9]\d* failed items/);
    expect(run.stdout).toContain('Exit status 0: completed');
    expect(run.code).toBe(0);
    expect(run.text).not.toContain('sim-secret');

    const description = await h.client.workflow.getHandle(`crawl:${sourceId}`).describe();
    expect(description.typedSearchAttributes.get(MimecastSource)).toBe(sourceId);
    expect(description.typedSearchAttributes.get(CrawlStatus)).toBe('Completed');
  });

  it('retry-failed retries the recorded item failures of the source', async () => {
    const recorded = (await h.failedIds('bob@example.com')).length;
    expect(recorded).toBeGreaterThan(0);
    const run = await runCliInProcess(['retry-failed', '--source', h.sourceId, '--prefix', h.prefix], env);
    expect(run.text).toContain(`Failed items in 1 mailbox(es): bob@example.com (${recorded})`);
    expect(run.text).toMatch(/Retrying failed items of bob@example.com: new pass \S+/);
    expect(run.code).toBe(0);
    await waitFor('the failed items to be retried', async () =>
      (await h.failedIds('bob@example.com')).length === 0 ? true : undefined,
    );
  });

  it('refuses a second pass of a running source with exit 1', async () => {
    const { path } = config('main', '');
    const first = await runCliInProcess(['crawl', '--config', path], env);
    expect(first.code).toBe(0);
    const second = await runCliInProcess(['crawl', '--config', path, '--wait'], env);
    expect(second.code).toBe(1);
    expect(second.text).toContain('is already running');
    // Let the first finish so later tests start from a quiet source.
    await h.client.workflow.getHandle(`crawl:${h.sourceId}`).result();
  });

  it('status works with no worker running', async () => {
    await h.stopWorker();
    try {
      const run = await runCliInProcess(['status', '--source', h.sourceId, '--prefix', h.prefix], env);
      expect(run.code).toBe(0);
      expect(run.text).toContain(`Passes of source ${h.sourceId}`);
      expect(run.text).toMatch(new RegExp(`crawl:${h.sourceId} +COMPLETED +Completed`));
      expect(run.text).toMatch(/alice@example\.com +example\.com +yes +Completed +\d+/);
      expect(run.text).toMatch(/bob@example\.com +example\.com +yes +Completed/);
      expect(run.text).toContain('Mailboxes of source');

      const one = await runCliInProcess(
        ['status', '--source', h.sourceId, '--prefix', h.prefix, '--mailbox', 'alice@example.com'],
        env,
      );
      expect(one.code).toBe(0);
      expect(one.text).toMatch(/alice@example\.com +example\.com/);
      expect(one.text).toContain('a worker must be running to answer');
    } finally {
      await h.startWorker();
    }
    const live = await runCliInProcess(
      ['status', '--source', h.sourceId, '--prefix', h.prefix, '--mailbox', 'ALICE@example.com'],
      env,
    );
    expect(live.text).toMatch(/delta tokens: INBOX \d{4}-/);
  });

  it('exits 2 when a mailbox fails, and restart-mailbox recovers it', async () => {
    h.sim.control.addMailbox('zed@example.com', 'example.com', 15);
    const { path, sourceId } = config('failing', 'fail', { mailboxes: { included: ['^zed@'] } });
    h.sim.control.setFaults({
      failIds: h.sim.control.expectedMessages('zed@example.com', 'INBOX').map((m) => m.id),
    });
    const run = await runCliInProcess(['crawl', '--config', path, '--wait'], env);
    expect(run.text).toContain('failed mailboxes (1):');
    expect(run.text).toContain('zed@example.com: [mailbox]');
    expect(run.text).toContain('Exit status 2: completed with failed mailboxes');
    expect(run.code).toBe(2);
    expect((await mailboxProgress(sourceId, 'zed@example.com')).status).toBe('Failed');

    h.sim.control.setFaults({ failIds: [] });
    const restart = await runCliInProcess(
      ['restart-mailbox', 'zed@example.com', '--source', sourceId, '--config', path],
      env,
    );
    expect(restart.text).toMatch(/Restarted zed@example.com: new pass \S+/);
    expect(restart.code).toBe(0);
    await waitFor('zed to complete', async () =>
      (await mailboxProgress(sourceId, 'zed@example.com')).status === 'Completed' ? true : undefined,
    );
    // The operator's recovery: restart the mailbox, then retry the items its failed pass recorded.
    const retry = await runCliInProcess(
      ['retry-failed', '--source', sourceId, '--mailbox', 'zed@example.com', '--prefix', h.prefix],
      env,
    );
    expect(retry.code).toBe(0);
    const expected = (view: 'INBOX' | 'SENT') =>
      h.sim.control
        .expectedMessages('zed@example.com', view)
        .filter((m) => !m.expired && !m.recalled)
        .map((m) => m.id)
        .sort();
    const indexedAll = async () => ({
      INBOX: await indexedIds(sourceId, 'zed@example.com', 'INBOX'),
      SENT: await indexedIds(sourceId, 'zed@example.com', 'SENT'),
    });
    const want = { INBOX: expected('INBOX'), SENT: expected('SENT') };
    await waitFor('every message of zed to be indexed', async () =>
      JSON.stringify(await indexedAll()) === JSON.stringify(want) ? true : undefined,
    ).catch(() => undefined);
    expect(await indexedAll()).toEqual(want);

    const unknown = await runCliInProcess(
      ['restart-mailbox', 'nobody@example.com', '--source', sourceId],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.text).toContain('no such mailbox workflow');
  });

  it('exits 3 when deletions are withheld', async () => {
    for (const letter of 'abcdefg') h.sim.control.addMailbox(`w3-${letter}@example.org`, 'example.org', 1);
    const first = config('withhold-1', 'wh', {
      mailboxes: { included: ['^w3-'] },
      parallelism: { mailboxCrawling: 8 },
    });
    expect((await runCliInProcess(['crawl', '--config', first.path, '--wait'], env)).code).toBe(0);
    // Six of seven known mailboxes leave the scope: more than max(5, 10 %), so nothing is deleted.
    const second = config('withhold-2', 'wh', {
      mailboxes: { included: ['^w3-'], excluded: ['^w3-[a-f]@'] },
    });
    const run = await runCliInProcess(['crawl', '--config', second.path, '--wait'], env);
    expect(run.text).toMatch(/deletions: 0 performed, 6 withheld of 6 candidates/);
    expect(run.text).toContain('Exit status 3: deletions withheld');
    expect(run.code).toBe(3);
  });

  it('exits 1 for a skipped pass, and pause/resume/cancel drive the running one', async () => {
    const { path, sourceId } = config('control', 'ctl');
    // A pass that is not the CLI's (as a schedule would start it), paused at once so it stays running.
    const other = await h.client.workflow.start('crawlArchive', {
      taskQueue: h.taskQueue,
      workflowId: `crawl:${sourceId}:scheduled-test`,
      args: [{ settings: JSON.parse(readFileSync(path, 'utf8')) }],
      typedSearchAttributes: [{ key: MimecastSource, value: sourceId }],
    });
    const paused = await waitFor('the pass to be paused', async () => {
      const run = await runCliInProcess(['pause', '--source', sourceId], env);
      return run.code === 0 ? run : undefined;
    });
    expect(paused.text).toContain(`Paused pass crawl:${sourceId}:scheduled-test`);
    expect(paused.text).toContain('PAUSED');

    const skipped = await runCliInProcess(['crawl', '--config', path, '--wait'], env);
    expect(skipped.text).toContain(`another pass of source ${sourceId} is running`);
    expect(skipped.text).toMatch(/Skipped \(delta\)/);
    expect(skipped.text).toContain('Exit status 1');
    expect(skipped.code).toBe(1);

    const resumed = await runCliInProcess(['resume', '--source', sourceId], env);
    expect(resumed.text).toContain(`Resumed pass crawl:${sourceId}:scheduled-test`);
    expect(resumed.code).toBe(0);
    // Paused again before cancelling, so the pass cannot complete on its own in between.
    expect((await runCliInProcess(['pause', '--source', sourceId], env)).code).toBe(0);
    const cancelled = await runCliInProcess(['cancel', '--source', sourceId, '--reason', 'test'], env);
    expect(cancelled.text).toContain(`Cancelling pass crawl:${sourceId}:scheduled-test`);
    expect(cancelled.code).toBe(0);
    const result = await Promise.race([
      other.result(),
      sleep(120_000).then(() => ({ status: 'still running after 120 s' })),
    ]);
    expect(result.status).toBe('Cancelled');
    const none = await runCliInProcess(['pause', '--source', sourceId], env);
    expect(none.code).toBe(1);
    expect(none.text).toContain(`No running pass of source ${sourceId}`);
  });

  it('exits 1 when the pass fails for a source-level reason', async () => {
    const { path } = config('failed', 'bad', { connection: { credential: 'no-such-credential' } });
    const run = await runCliInProcess(['crawl', '--config', path, '--wait'], env);
    expect(run.text).toMatch(/Failed|did not complete/);
    expect(run.text).toContain('Exit status 1');
    expect(run.code).toBe(1);
  });

  it('pauses a schedule whose pass fails for a source-level reason (pause on failure)', async () => {
    const { path, sourceId } = config('scheduled-failure', 'sched', {
      connection: { credential: 'no-such-credential' },
    });
    const created = await runCliInProcess(['schedule', 'create', '--config', path, '--every', '1h'], env);
    expect(created.code).toBe(0);
    const schedule = h.client.schedule.getHandle(`crawl-schedule:${sourceId}`);
    try {
      expect((await schedule.describe()).state.paused).toBe(false);
      expect((await runCliInProcess(['schedule', 'trigger', '--source', sourceId], env)).code).toBe(0);
      await waitFor('the schedule to pause', async () =>
        (await schedule.describe()).state.paused ? true : undefined,
      );
    } finally {
      await schedule.delete().catch(() => undefined);
    }
  });
});
