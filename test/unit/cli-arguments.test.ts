import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../client/cli';
import { bufferIo } from '../../client/cli-io';
import { createCliContext } from '../../client/cli-context';
import { readEnvironment } from '../../client/environment';
import { formatTable } from '../../client/text-table';

// A context whose servers must never be reached: argument and file errors end before that.
function offlineRun(argv: string[]) {
  const io = bufferIo();
  const context = () =>
    createCliContext(readEnvironment({}), io, {
      temporal: () => Promise.reject(new Error('test: Temporal must not be contacted')),
    });
  return runCli(argv, { io, context }).then((code) => ({ code, text: io.text() }));
}

describe('mimecast-crawler arguments and help', () => {
  it.each([
    'crawl',
    'pause',
    'resume',
    'cancel',
    'status',
    'restart-mailbox',
    'retry-failed',
    'schedule',
    'validate',
    'worker',
    'simulator',
    'demo',
  ])('%s --help exits 0 and describes the command', async (command) => {
    const { code, text } = await offlineRun([command, '--help']);
    expect(code).toBe(0);
    expect(text).toContain(`Usage: mimecast-crawler ${command}`);
  });

  it('lists every command and the environment in the top-level help', async () => {
    const { code, text } = await offlineRun(['--help']);
    expect(code).toBe(0);
    for (const command of ['crawl', 'schedule', 'restart-mailbox', 'retry-failed', 'status', 'demo'])
      expect(text).toContain(command);
    expect(text).toContain('TEMPORAL_TASK_QUEUE');
  });

  it('documents the exit statuses of crawl --wait', async () => {
    const { text } = await offlineRun(['crawl', '--help']);
    expect(text).toMatch(/3 +deletions withheld/);
  });

  it('fails on a missing required option and an unknown schedule action', async () => {
    expect((await offlineRun(['crawl'])).code).not.toBe(0);
    const bad = await offlineRun(['schedule', 'explode', '--source', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.text).toMatch(/explode/);
  });

  it('refuses a bad configuration before contacting Temporal, naming each field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-args-'));
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ sourceId: 'Bad Id', messages: { startDate: 'yesterday' }, colour: 'red' }),
    );
    const { code, text } = await offlineRun(['crawl', '--config', file, '--wait']);
    expect(code).toBe(1);
    expect(text).toContain('sourceId: must match [a-z0-9-]+');
    expect(text).toContain('messages.startDate');
    expect(text).toContain('colour: unknown setting');
    expect(text).not.toContain('must not be contacted');
  });

  it('checks schedule times before contacting Temporal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-args-'));
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ sourceId: 'ok', messages: { startDate: '2024-01-01' } }));
    const both = await offlineRun([
      'schedule',
      'create',
      '--config',
      file,
      '--every',
      '1h',
      '--cron',
      '0 * * * *',
    ]);
    expect(both.code).toBe(1);
    expect(both.text).toContain('give either --every or --cron, not both');
    const bad = await offlineRun(['schedule', 'create', '--config', file, '--every', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.text).toContain('--every: "soon" is not a duration');
    const none = await offlineRun(['schedule', 'create', '--config', file]);
    expect(none.text).toContain('one of --every or --cron is required');
  });
});

describe('text tables', () => {
  it('aligns columns under their headers', () => {
    expect(
      formatTable(
        ['A', 'LONGER'],
        [
          ['xyz', 1],
          ['q', undefined],
        ],
      ),
    ).toEqual(['A    LONGER', '---  ------', 'xyz  1', 'q']);
  });
});
