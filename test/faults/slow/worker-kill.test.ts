// Fault suite (slow): the worker process is SIGKILLed mid-crawl and a new one takes over. The pass
// completes; the only messages missing are the ones in flight at the kill, each recorded as failed
// with its reason, and the next pass (which retries recorded failures) leaves the exact index.
import { FaultEnvironment } from '../../helpers/fault-environment';
import { NOTHING_WRONG, summary, verifyPass } from '../../helpers/fault-verify';

jest.setTimeout(900_000);

const env = FaultEnvironment.create('kill', 2);
beforeAll(() => env.setUp(), 700_000);
afterAll(() => env.teardown(), 180_000);

test('SIGKILL of the worker mid-crawl: a new worker finishes the pass, nothing lost or duplicated', async () => {
  // Latency keeps the crawl going long enough to be killed in the middle of a page.
  const sim = await env.simulator({ preset: 'small', faults: { latencyMs: 20 } });
  const source = env.source(sim, {}, 60);
  const first = await env.startWorker(sim);
  const handle = await env.startCrawl(source);
  const before = await env.waitForIndexed(source, 60, 240_000);
  await env.killWorker(first);
  expect(first.child.process.signalCode).toBe('SIGKILL');
  await env.startWorker(sim);

  const pass1 = await verifyPass(env, sim, source, handle, 480_000);
  expect(pass1.expectedIndexed).toBeGreaterThan(before);
  expect(pass1.comparison.unexpected).toEqual([]);
  expect(pass1.comparison.duplicates).toEqual([]);
  // A message being processed when the worker died is skipped on the retry and recorded, not lost.
  for (const key of pass1.comparison.missing)
    expect(pass1.failures.get(key)?.reason).toMatch(/worker stopped/);
  expect(pass1.secrets.leaks).toEqual([]);

  // The next pass retries the recorded failures first: then the index is exact.
  const pass2 = await verifyPass(env, sim, source, await env.startCrawl(source), 300_000);
  expect(pass2.result.mailboxes.failed).toBe(0);
  expect(summary(pass2.comparison)).toEqual(NOTHING_WRONG);
  expect(pass2.secrets.tokensChecked).toBeGreaterThan(0);
  expect(pass2.secrets.leaks).toEqual([]);
});
