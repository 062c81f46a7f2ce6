// Fault suite (slow): Elasticsearch is stopped for 30 s mid-crawl (then restarted on its data).
// Pages fail as transient and are retried; the pass completes with the exact index.
import { FaultEnvironment } from '../../helpers/fault-environment';
import { NOTHING_WRONG, summary, verifyPass } from '../../helpers/fault-verify';

jest.setTimeout(900_000);

const env = FaultEnvironment.create('elastic', 4);
beforeAll(() => env.setUp(), 700_000);
afterAll(() => env.teardown(), 180_000);

test('Elasticsearch away for 30 s mid-crawl: the pass completes with the exact index', async () => {
  const sim = await env.simulator({ preset: 'small', faults: { latencyMs: 20 } });
  const source = env.source(sim, {}, 60);
  const worker = await env.startWorker(sim);
  const handle = await env.startCrawl(source);
  const before = await env.waitForIndexed(source, 60, 240_000);
  await env.elasticsearch.stop();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  await env.elasticsearch.restart();

  const outcome = await verifyPass(env, sim, source, handle, 600_000);
  expect(worker.child.process.exitCode).toBeNull();
  // The fault struck mid-crawl: fewer messages were indexed then than in the end.
  expect(outcome.expectedIndexed).toBeGreaterThan(before);
  expect(outcome.result.mailboxes.failed).toBe(0);
  expect(summary(outcome.comparison)).toEqual(NOTHING_WRONG);
  expect(outcome.secrets.leaks).toEqual([]);
});
