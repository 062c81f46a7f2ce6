// `validate --config FILE [--connect]` (client/validate.ts) against the simulator: file problems
// name their field; --connect authenticates, tries each endpoint and names a missing role/product.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runValidate } from '../../client/validate';
import { DEFAULT_SWITCHES, startSimulator, type RunningSimulator } from '../../simulator';

const ENV = {
  MIMECAST_CLIENT_ID: 'sim-client',
  MIMECAST_CLIENT_SECRET: 'sim-secret',
  MIMECAST_DEV_HOSTS: 'loopback',
};
let sim: RunningSimulator;
let dir: string;

function configFile(content: unknown): string {
  const path = join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function simConfig(extra: object = {}) {
  return {
    sourceId: 'validate-it',
    messages: { startDate: '2024-01-01' },
    connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
    ...extra,
  };
}

beforeAll(async () => {
  sim = await startSimulator({ preset: 'tiny', seed: 7 });
  dir = mkdtempSync(join(tmpdir(), 'mc-validate-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sim.control.setSwitches(DEFAULT_SWITCHES));

it('lists every problem of an invalid file with its field', async () => {
  const path = configFile({
    sourceId: 'Bad Id',
    messages: { startDate: '2024-01-01' },
    performance: { pageSize: 900 },
    extra: 1,
  });
  const result = await runValidate({ configPath: path, connect: false, env: ENV });
  expect(result.ok).toBe(false);
  expect(result.lines.join('\n')).toMatch(/sourceId: must match/);
  expect(result.lines.join('\n')).toMatch(/performance\.pageSize: must be between 1 and 500/);
  expect(result.lines.join('\n')).toMatch(/extra: unknown setting/);
});

it('accepts a valid file without touching the network', async () => {
  sim.control.resetCounters();
  const result = await runValidate({ configPath: configFile(simConfig()), connect: false, env: ENV });
  expect(result).toEqual({ ok: true, lines: [expect.stringMatching(/is valid \(source "validate-it"/)] });
  expect(sim.control.counters()).toEqual({});
});

// example.com's mailboxes hold messages (example.org's first one has none).
const withMessages = { domains: { included: ['^example\\.com$'] } };

it('with --connect authenticates and tries each endpoint the crawl needs', async () => {
  sim.control.resetCounters();
  const result = await runValidate({
    configPath: configFile(simConfig(withMessages)),
    connect: true,
    env: ENV,
  });
  expect(result.ok).toBe(true);
  expect(result.lines).toEqual([
    expect.stringMatching(/is valid/),
    expect.stringMatching(/^✓ authenticated with credential "default"/),
    expect.stringMatching(/^✓ get-internal-domain: \d+ domain/),
    expect.stringMatching(/^✓ get-internal-users: /),
    expect.stringMatching(/^✓ get-message-list: listed .+@/),
    expect.stringMatching(/^✓ get-message-part: fetched one message of .+@.+ \(\d+ bytes\)/),
  ]);
  const counters = sim.control.counters();
  expect(counters.auth).toBe(1);
  // The last day's list, then (when it was empty) one record of the settings' range.
  expect(counters['/api/archive/get-message-list']).toBeGreaterThanOrEqual(1);
  expect(counters['/api/archive/get-message-part']).toBe(1);
});

it('proves Content View by fetching one message part, and names the role when it is refused', async () => {
  sim.control.setSwitches({ roleMissingEndpoints: ['/api/archive/get-message-part'] });
  const result = await runValidate({
    configPath: configFile(simConfig(withMessages)),
    connect: true,
    env: ENV,
  });
  expect(result.ok).toBe(false);
  expect(result.lines[result.lines.length - 2]).toMatch(/^✓ get-message-list/);
  expect(result.lines[result.lines.length - 1]).toMatch(
    /^✗ get-message-part \(needs Archive › Search Content View\)/,
  );
});

it('names the missing role when the message list is refused', async () => {
  sim.control.setSwitches({ roleMissingEndpoints: ['/api/archive/get-message-list'] });
  const result = await runValidate({ configPath: configFile(simConfig()), connect: true, env: ENV });
  expect(result.ok).toBe(false);
  expect(result.lines[result.lines.length - 1]).toMatch(/^✗ get-message-list .*Archive › Search › Read/);
});

it('names the missing product on app_forbidden', async () => {
  sim.control.setSwitches({
    forbiddenEndpoints: ['/api/domain/get-internal-domain'],
    appForbidden: '200-fail',
  });
  const result = await runValidate({ configPath: configFile(simConfig()), connect: true, env: ENV });
  expect(result.ok).toBe(false);
  expect(result.lines.join('\n')).toMatch(/✗ get-internal-domain .*no Product .*app_forbidden/);
});

it('reports a missing credential and a wrong secret without showing the secret', async () => {
  const missing = await runValidate({ configPath: configFile(simConfig()), connect: true, env: {} });
  expect(missing.ok).toBe(false);
  expect(missing.lines[1]).toMatch(/✗ credential: .*"default" is not configured/);
  const wrong = await runValidate({
    configPath: configFile(simConfig()),
    connect: true,
    env: {
      MIMECAST_CLIENT_ID: 'sim-client',
      MIMECAST_CLIENT_SECRET: 'not-the-secret',
      MIMECAST_DEV_HOSTS: 'loopback',
    },
  });
  expect(wrong.ok).toBe(false);
  expect(wrong.lines[1]).toMatch(/✗ authentication: .*refused credential "default"/);
  expect(wrong.lines.join('\n')).not.toContain('not-the-secret');
});
