// Fault suite, fast subset (CI): API-level faults on private servers — a 429 storm, tokens expiring
// every few seconds, malformed responses with fail[] for chosen messages, download links on a
// foreign host, hostile attachments. After each pass the index holds exactly the expected
// documents and no secret or bearer token appears in histories, worker logs or the index.
import { scanForSecrets } from '../../helpers/fault-checks';
import { FaultEnvironment } from '../../helpers/fault-environment';
import { NOTHING_WRONG, summary, verifyPass, type FaultOutcome } from '../../helpers/fault-verify';
import type { RunningSimulator, SimulatorOptions } from '../../../simulator';

jest.setTimeout(240_000);

let env: FaultEnvironment;
/** One crawler worker for the file: it is source-agnostic, every case has its own simulator and source. */
let sims: RunningSimulator[] = [];

beforeAll(async () => {
  env = FaultEnvironment.create('api', 1);
  await env.setUp();
  // The worker's credential is the simulator's default (sim-client / sim-secret), shared by every case.
  const first = await env.simulator({ preset: 'tiny' });
  sims.push(first);
  await env.startWorker(first);
}, 700_000);

afterAll(async () => {
  await env?.teardown();
  sims = [];
}, 180_000);

/** A small archive: the `small` preset's last 30 days (8 mailboxes, a few hundred messages). */
async function crawlUnder(
  options: SimulatorOptions,
  overrides: Record<string, object> = {},
  lastDays = 30,
): Promise<{ sim: RunningSimulator; outcome: FaultOutcome }> {
  const sim = await env.simulator({ preset: 'small', ...options });
  const source = env.source(sim, overrides, lastDays);
  const handle = await env.startCrawl(source);
  const outcome = await verifyPass(env, sim, source, handle, 200_000);
  return { sim, outcome };
}

function expectExact(outcome: FaultOutcome): void {
  expect(outcome.result.mailboxes.failed).toBe(0);
  expect(outcome.expectedIndexed).toBeGreaterThan(0);
  expect(summary(outcome.comparison)).toEqual(NOTHING_WRONG);
}

function expectNoSecrets(outcome: FaultOutcome): void {
  expect(outcome.secrets.tokensChecked).toBeGreaterThan(0);
  expect(outcome.secrets.scannedChars.history).toBeGreaterThan(0);
  expect(outcome.secrets.scannedChars.index).toBeGreaterThan(0);
  expect(outcome.secrets.leaks).toEqual([]);
}

test('a 429 storm (30 % of API calls) is waited out: every message indexed once, nothing lost', async () => {
  const { sim, outcome } = await crawlUnder({ faults: { rate429: 0.3 } });
  expectExact(outcome);
  expectNoSecrets(outcome);
  // The storm really happened: the simulator answered 429 to a good share of the calls.
  expect(sim.control.counters()['429'] ?? 0).toBeGreaterThan(10);
  expect(outcome.result.messages.throttled).toBeGreaterThan(0);
});

test('tokens expiring every 3 seconds are renewed: the pass completes with the exact index', async () => {
  // Latency stretches the crawl over many token lifetimes: with several messages in flight per page
  // (performance.pageConcurrency) 60 ms per call ended within two lifetimes on a quiet machine.
  const { sim, outcome } = await crawlUnder({ faults: { tokenExpireSeconds: 3, latencyMs: 250 } });
  expectExact(outcome);
  expectNoSecrets(outcome);
  expect(sim.control.counters().auth ?? 0).toBeGreaterThan(2);
  expect(outcome.secrets.tokensChecked).toBeGreaterThan(2);
});

test('malformed responses are retried and fail[] for chosen messages is recorded with its reason', async () => {
  const probe = await env.simulator({ preset: 'small' });
  // Three messages of the first mailbox's INBOX that the archive refuses to return.
  const [mailbox] = probe.control.mailboxes();
  const recent = probe.control.expectedMessages(mailbox!, 'INBOX', {
    start: new Date(Date.now() - 30 * 86_400_000),
    end: new Date(),
  });
  const failIds = recent
    .filter((m) => !m.expired && !m.recalled)
    .slice(0, 3)
    .map((m) => m.id);
  expect(failIds).toHaveLength(3);
  const { outcome } = await crawlUnder({ faults: { malformedJsonRate: 0.05, failIds } });
  expectExact(outcome);
  expectNoSecrets(outcome);
  expect(outcome.expectedFailed).toBe(3);
  for (const [key, failure] of outcome.failures) {
    if (failIds.some((id) => key.endsWith(`|${id}`))) expect(failure.reason).toMatch(/\S/);
  }
});

test('download links on a foreign host are followed without sending the bearer token there', async () => {
  const { sim, outcome } = await crawlUnder({ switches: { download: 'link', linkOrigin: 'foreign' } });
  expectExact(outcome);
  expectNoSecrets(outcome);
  expect(sim.control.counters()['link-get'] ?? 0).toBeGreaterThan(0);
  expect(sim.control.foreignAuthorizationSeen()).toBe(false);
});

test('hostile attachments (decompression bomb, spinning PDF) cannot stop the crawl or the worker', async () => {
  const { outcome } = await crawlUnder({ preset: 'hostile' }, { attachments: { extract: true } }, 61);
  expectExact(outcome);
  expectNoSecrets(outcome);
  // The worker process survived the extraction of every hostile file.
  for (const worker of env.workers) expect(worker.child.process.exitCode).toBeNull();
});

test('a pass started with bad settings (an old schedule, a hand-made start) fails with the field named', async () => {
  const sim = await env.simulator({ preset: 'tiny' });
  const source = env.source(sim);
  const handle = await env.client.workflow.start('crawlArchive', {
    taskQueue: `faults-${env.name}`,
    workflowId: `crawl:${source.sourceId}`,
    args: [
      { settings: { ...source.settings, performance: { ...source.settings.performance, pageSize: 900 } } },
    ],
  });
  const result = await env.result(handle, 60_000);
  expect(result.status).toBe('Failed');
  expect(result.error).toMatch(/performance\.pageSize/);
  expect(sim.control.counters()['/api/archive/get-message-list'] ?? 0).toBe(0);
});

test('the secret scan itself finds a token or the secret wherever it appears', async () => {
  // A simulator of an earlier case, which issued tokens to the worker.
  const sim = env.sims.find((s) => s.control.issuedTokens().length > 0)!;
  expect(sim).toBeDefined();
  const source = env.source(sim);
  const [token] = sim.control.issuedTokens();
  const findings = await scanForSecrets({
    sim,
    client: env.client,
    es: env.es,
    settings: source.settings,
    logs: `{"msg":"call","authorization":"Bearer ${token}"}\n{"clientSecret":"sim-secret"}`,
  });
  expect(findings.leaks).toEqual(
    expect.arrayContaining(['logs: client secret', `logs: bearer token ${token!.slice(0, 6)}…`]),
  );
});
