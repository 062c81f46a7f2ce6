// The CLI in scripts: --version from package.json, --address/--namespace beside the environment,
// `config schema` and the shipped schema file, `validate --json` with every problem at once, and a
// closed pipe (`| head`) that ends quietly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../client/cli';
import { bufferIo, type CliIo } from '../../client/cli-io';
import { createCliContext } from '../../client/cli-context';
import { readEnvironment, withOverrides, type CliEnvironment } from '../../client/environment';
import { SETTINGS_SCHEMA_FILE, settingsJsonSchema } from '../../client/settings-json-schema';
import { loadSettingsFile } from '../../client/settings-file';

// A version no release has: proves the CLI reads package.json rather than a literal.
jest.mock('../../package.json', () => ({ version: '9.8.7-test' }));

const ROOT = join(__dirname, '..', '..');

function offlineRun(
  argv: string[],
  seen: CliEnvironment[] = [],
  temporalError = 'test: Temporal must not be contacted',
) {
  const io = bufferIo();
  const context = (cliIo: CliIo, overrides: Parameters<typeof withOverrides>[1]) => {
    const env = withOverrides(readEnvironment({ TEMPORAL_ADDRESS: 'env-host:7233' }), overrides);
    seen.push(env);
    return createCliContext(env, cliIo, {
      temporal: () => Promise.reject(new Error(temporalError)),
    });
  };
  return runCli(argv, { io, context }).then((code) => ({ code, text: io.text(), lines: io.lines }));
}

function writeTemp(name: string, content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cli-scripting-')), name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

it('--version prints the version of package.json', async () => {
  for (const flag of ['--version', '-V']) {
    const { code, text } = await offlineRun([flag]);
    expect(code).toBe(0);
    expect(text.trim()).toBe('9.8.7-test');
  }
});

it('--address and --namespace win over the environment, before or after the command', async () => {
  for (const argv of [
    ['status', '--source', 'x', '--address', 'flag-host:7233', '--namespace', 'ns-flag'],
    ['--address', 'flag-host:7233', '--namespace', 'ns-flag', 'status', '--source', 'x'],
  ]) {
    const seen: CliEnvironment[] = [];
    await offlineRun(argv, seen);
    expect(seen.map((e) => [e.temporalAddress, e.namespace])).toEqual([['flag-host:7233', 'ns-flag']]);
  }
  const seen: CliEnvironment[] = [];
  await offlineRun(['status', '--source', 'x'], seen);
  expect(seen[0]!.temporalAddress).toBe('env-host:7233');
});

it('names the variable and the flag to change when Temporal cannot be reached', async () => {
  const { code, text } = await offlineRun(
    ['status', '--source', 'x', '--address', 'nowhere:7233'],
    [],
    'Failed to connect: ECONNREFUSED',
  );
  expect(code).toBe(1);
  expect(text).toMatch(/Temporal: nowhere:7233 \(set TEMPORAL_ADDRESS or --address\)/);
});

describe('config schema', () => {
  it('prints the JSON Schema generated from the settings schema', async () => {
    const { code, lines } = await offlineRun(['config', 'schema']);
    expect(code).toBe(0);
    const printed = JSON.parse(lines.join('\n')) as { properties: Record<string, unknown> };
    expect(printed).toEqual(settingsJsonSchema());
    expect(Object.keys(printed.properties)).toEqual(
      expect.arrayContaining(['$schema', 'sourceId', 'connection', 'messages', 'privacy']),
    );
  });

  it(`is shipped up to date as ${SETTINGS_SCHEMA_FILE} (regenerate: mimecast-crawler config schema > ${SETTINGS_SCHEMA_FILE})`, () => {
    expect(JSON.parse(readFileSync(join(ROOT, SETTINGS_SCHEMA_FILE), 'utf8'))).toEqual(settingsJsonSchema());
  });

  it.each(['demo-source.json', 'production-source.json', 'docker-source.json'])(
    'examples/%s names the schema with $schema and still loads',
    (name) => {
      const path = join(ROOT, 'examples', name);
      expect(JSON.parse(readFileSync(path, 'utf8')).$schema).toBe(`../${SETTINGS_SCHEMA_FILE}`);
      // The docker example calls the simulator by its service name: the development switch allows it.
      const saved = process.env.MIMECAST_DEV_HOSTS;
      process.env.MIMECAST_DEV_HOSTS = 'loopback,simulator';
      try {
        expect(() => loadSettingsFile(path)).not.toThrow();
      } finally {
        process.env.MIMECAST_DEV_HOSTS = saved;
      }
    },
  );
});

describe('validate --json', () => {
  it('lists every problem of a file at once, field errors and rules across fields together', async () => {
    const path = writeTemp('bad.json', {
      sourceId: 'acme',
      messages: { startDate: '2024-03-01', endDate: '2024-01-01' },
      performance: { pageSize: 0 },
    });
    const { code, lines } = await offlineRun(['validate', '--config', path, '--json']);
    expect(code).toBe(1);
    const document = JSON.parse(lines.join('\n')) as { ok: boolean; config: string; problems: string[] };
    expect(document).toMatchObject({ ok: false, config: path });
    expect(document.problems).toEqual([
      expect.stringMatching(/^performance\.pageSize: /),
      expect.stringMatching(/^messages\.endDate: .* is before messages\.startDate/),
    ]);
  });

  it('says ok for a valid file', async () => {
    const path = writeTemp('good.json', { sourceId: 'acme', messages: { startDate: '2024-01-01' } });
    const { code, lines } = await offlineRun(['validate', '--config', path, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ ok: true, config: path });
  });
});

it('ends quietly when the reader closes the pipe (`status --help | head`)', () => {
  // The reader exits before the CLI writes: every write meets a closed pipe.
  const run = spawnSync(
    'bash',
    ['-c', 'node bin/mimecast-crawler.js status --help | (exec 0<&-; true); echo "exit=${PIPESTATUS[0]}"'],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('exit=0');
});
