// `validate` as a user runs it (a real process through bin/mimecast-crawler.js): a bad file exits
// non-zero naming each field; a good one passes without contacting anything.
import { writeConfig, spawnCli, tempDir } from './cli-harness';

jest.setTimeout(60_000);

const dir = tempDir('cli-validate');

it('rejects a bad configuration, naming each field and reason', async () => {
  const path = writeConfig(dir, 'bad.json', {
    sourceId: 'acme',
    messages: { startDate: '2024-01-01' },
    performance: { pageSize: 900, deltaTokenOffsetMinutes: 30 },
    mailboxes: { excluded: ['.*'] },
    colour: 'blue',
  });
  const run = await spawnCli(['validate', '--config', path]);
  expect(run.code).not.toBe(0);
  expect(run.text).toContain('colour: unknown setting');
  expect(run.text).toMatch(/performance\.pageSize: must be between 1 and 500/);
  expect(run.text).toMatch(/performance\.deltaTokenOffsetMinutes: must be ≤ 0/);
});

it('rejects an exclusion that matches every mailbox', async () => {
  const path = writeConfig(dir, 'all.json', {
    sourceId: 'acme',
    messages: { startDate: '2024-01-01' },
    mailboxes: { excluded: ['.*'] },
  });
  const run = await spawnCli(['validate', '--config', path]);
  expect(run.code).not.toBe(0);
  expect(run.text).toMatch(/mailboxes\.excluded\[0\]: .*matches every/);
});

it('accepts the example configurations', async () => {
  for (const example of ['examples/demo-source.json', 'examples/production-source.json']) {
    const run = await spawnCli(['validate', '--config', example]);
    expect({ example, code: run.code, stderr: run.stderr }).toEqual({ example, code: 0, stderr: '' });
  }
});
