// The per-app API concurrency budget against the simulator: shared by every client of the app in a
// worker process, never exceeded, cut by the quota (Q calls per second) and shown in the stats line.
import type { BudgetSnapshot } from '../../activities/mimecast/api-budget';
import { MimecastClientProvider } from '../../activities/mimecast/client-provider';
import type { CrawlMetrics } from '../../activities/ports';
import { startSimulator, parseFaultSpec, type RunningSimulator } from '../../simulator';
import { settings as testSettings } from '../helpers/settings';

const ENV = {
  MIMECAST_CLIENT_ID: 'sim-client',
  MIMECAST_CLIENT_SECRET: 'sim-secret',
  MIMECAST_DEV_HOSTS: 'loopback',
};

let sim: RunningSimulator;
const providers: MimecastClientProvider[] = [];

beforeAll(async () => {
  sim = await startSimulator({ preset: 'tiny', seed: 5 });
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await sim.close();
});

function settingsFor(sourceId: string, statsIntervalSeconds = 0) {
  return testSettings({
    sourceId,
    messages: { startDate: '2000-01-01' },
    connection: { apiEndpoint: sim.url, authEndpoint: `${sim.url}/oauth/token` },
    logging: { traceLevel: 'None', statsIntervalSeconds },
  });
}

/** A worker process's provider whose budget changes are recorded, as the Prometheus gauges see them. */
function workerProvider(logLines: object[] = []) {
  const seen: BudgetSnapshot[] = [];
  const metrics: CrawlMetrics = {
    apiCall: () => undefined,
    throttleWait: () => undefined,
    messageOutcome: () => undefined,
    contentBytes: () => undefined,
    apiBudget: (_credential, budget) => seen.push(budget),
  };
  const push = (obj: object) => logLines.push(obj);
  const provider = new MimecastClientProvider({
    env: ENV,
    logger: { debug: push, info: push, warn: push, error: push },
    metrics,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  providers.push(provider);
  return { provider, seen };
}

/** `callers` loops calling the API until `ms` have passed; returns the calls made. */
async function hammer(call: () => Promise<unknown>, callers: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let calls = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) {
        await call();
        calls += 1;
      }
    }),
  );
  return calls;
}

describe('API concurrency budget', () => {
  it('is one budget per app in a worker, shared by every source, never exceeded', async () => {
    sim.control.setFaults({ ...parseFaultSpec('latency=40'), rateLimit: null });
    const { provider, seen } = workerProvider();
    // Two sources with the same credential: one app, so one budget of at most 6 calls in flight.
    const clients = [provider.forSettings(settingsFor('one')), provider.forSettings(settingsFor('two'))];
    await hammer(() => clients[0]!.listInternalDomains(), 20, 300);
    const sharedPeak = Math.max(...seen.map((s) => s.inFlight));
    expect(sharedPeak).toBeGreaterThan(8); // slow start: the budget grew past its initial 8

    const capped: BudgetSnapshot[] = [];
    const cappedProvider = new MimecastClientProvider({
      env: ENV,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      metrics: {
        apiCall: () => undefined,
        throttleWait: () => undefined,
        messageOutcome: () => undefined,
        contentBytes: () => undefined,
        apiBudget: (_c, b) => capped.push(b),
      },
      budget: { initial: 6, max: 6 },
    });
    providers.push(cappedProvider);
    const both = [
      cappedProvider.forSettings(settingsFor('one')),
      cappedProvider.forSettings(settingsFor('two')),
    ];
    let i = 0;
    await hammer(() => both[i++ % 2]!.listInternalDomains(), 30, 400);
    expect(cappedProvider.budgetSnapshots()).toHaveLength(1);
    expect(Math.max(...capped.map((s) => s.inFlight))).toBe(6);
    expect(Math.max(...capped.map((s) => s.waiting))).toBeGreaterThan(0);
    expect(capped.at(-1)).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('cuts itself to the quota: few 429s, and the stats line shows the budget', async () => {
    sim.control.setFaults(parseFaultSpec('latency=50,quota=40'));
    sim.control.resetCounters();
    const lines: object[] = [];
    const { provider, seen } = workerProvider(lines);
    const client = provider.forSettings(settingsFor('quota', 1));
    const calls = await hammer(() => client.listInternalDomains(), 40, 3_000);
    expect(provider.budgetSnapshots()).toHaveLength(1);
    const counters = sim.control.counters();
    const throttled = counters['429'] ?? 0;
    // Without the budget, 40 callers at 50 ms ask ~800 calls per second of a 40/s quota.
    expect(throttled / (calls + throttled)).toBeLessThan(0.05);
    expect(Math.min(...seen.map((s) => s.limit))).toBeLessThan(8);
    const last = seen.at(-1)!;
    expect(last.decreases).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_100));
    const stats = lines
      .map((l) => (l as { mimecastStats?: { budget?: BudgetSnapshot } }).mimecastStats)
      .find((s) => s?.budget);
    expect(stats?.budget).toMatchObject({ limit: expect.any(Number), inFlight: expect.any(Number) });
  }, 20_000);
});
