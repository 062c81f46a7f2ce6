// Fault suite (slow): the Temporal server is killed (SIGKILL) mid-crawl and restarted on the same
// database 35 s later. The worker rides the outage out and the pass completes with the exact index.
import { FaultEnvironment } from '../../helpers/fault-environment';
import { NOTHING_WRONG, summary, verifyPass } from '../../helpers/fault-verify';

jest.setTimeout(900_000);

const OUTAGE_MS = 35_000;

const env = FaultEnvironment.create('temporal', 3);
beforeAll(() => env.setUp(), 700_000);
afterAll(() => env.teardown(), 180_000);

test('the Temporal server away for 35 s mid-crawl: the pass completes, the index is exact, no secret leaks', async () => {
  const sim = await env.simulator({ preset: 'small', faults: { latencyMs: 20 } });
  const source = env.source(sim, {}, 60);
  const worker = await env.startWorker(sim);
  const handle = await env.startCrawl(source);
  const before = await env.waitForIndexed(source, 60, 240_000);
  await env.temporal.kill();
  // Longer than the 30 s heartbeat timeout of a page and than the SDK's first reconnect backoffs.
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  await env.temporal.restart();

  const outcome = await verifyPass(env, sim, source, handle, 480_000);
  // The same worker process carried on after the outage.
  expect(worker.child.process.exitCode).toBeNull();
  // The fault struck mid-crawl: fewer messages were indexed then than in the end.
  expect(outcome.expectedIndexed).toBeGreaterThan(before);
  expect(outcome.result.mailboxes.failed).toBe(0);
  expect(summary(outcome.comparison)).toEqual(NOTHING_WRONG);
  expect(outcome.secrets.tokensChecked).toBeGreaterThan(0);
  expect(outcome.secrets.leaks).toEqual([]);
});
