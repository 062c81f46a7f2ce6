// Fault suite, fast subset: bad settings files are refused before anything runs, each problem named
// with its field and reason, and no file can smuggle a secret in or send the credential elsewhere.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runValidate } from '../../../client/validate';
import { startSimulator, type RunningSimulator } from '../../../simulator';

let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'faults-settings-'));
  sim = await startSimulator({ preset: 'tiny' });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sim.close();
});

const GOOD = {
  sourceId: 'faults-settings',
  messages: { startDate: '2024-01-01' },
  index: { prefix: 'faults-settings' },
};

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

async function problems(name: string, content: unknown): Promise<string> {
  const result = await runValidate({ configPath: file(name, content), connect: false });
  expect(result.ok).toBe(false);
  return result.lines.join('\n');
}

test('a well-formed file passes (the cases below fail for their own reason only)', async () => {
  const result = await runValidate({ configPath: file('good.json', GOOD), connect: false });
  expect(result.ok).toBe(true);
});

test('a file that is not JSON is refused as such', async () => {
  expect(await problems('truncated.json', '{"sourceId": "x", "messages": {')).toMatch(/not valid JSON/);
});

test('unknown keys are errors, so a secret cannot be put into a settings file', async () => {
  const text = await problems('secret.json', { ...GOOD, connection: { clientSecret: 'sim-secret' } });
  expect(text).toMatch(/connection/);
  expect(text).toMatch(/clientSecret/);
  // The refusal names the key, never echoes the value.
  expect(text).not.toContain('sim-secret');
});

test('out-of-range and missing values name their field and the reason', async () => {
  const text = await problems('ranges.json', {
    sourceId: 'Not Valid',
    messages: {},
    performance: { pageSize: 900, deltaTokenOffsetMinutes: 30 },
  });
  expect(text).toMatch(/sourceId/);
  expect(text).toMatch(/messages\.startDate/);
  expect(text).toMatch(/performance\.pageSize.*500/);
  expect(text).toMatch(/performance\.deltaTokenOffsetMinutes/);
});

test('a regex that does not compile is refused', async () => {
  expect(await problems('regex.json', { ...GOOD, mailboxes: { included: ['(unclosed'] } })).toMatch(
    /mailboxes\.included/,
  );
});

test('an exclusion that matches every mailbox is refused', async () => {
  expect(await problems('exclude-all.json', { ...GOOD, mailboxes: { excluded: ['.*'] } })).toMatch(
    /mailboxes\.excluded/,
  );
});

test('an endpoint on a host the credential is not allowed for is refused before any request', async () => {
  const before = Object.values(sim.control.counters()).reduce((a, b) => a + b, 0);
  const result = await runValidate({
    configPath: file('foreign.json', {
      ...GOOD,
      connection: {
        apiEndpoint: 'https://api.attacker.example',
        authEndpoint: 'https://api.attacker.example/oauth/token',
      },
    }),
    connect: true,
    env: {
      MIMECAST_CLIENT_ID: 'sim-client',
      MIMECAST_CLIENT_SECRET: 'sim-secret',
      MIMECAST_DEV_HOSTS: 'loopback',
    },
  });
  expect(result.ok).toBe(false);
  expect(result.lines.join('\n')).toMatch(/attacker\.example/);
  expect(result.lines.join('\n')).not.toContain('sim-secret');
  expect(Object.values(sim.control.counters()).reduce((a, b) => a + b, 0)).toBe(before);
});
