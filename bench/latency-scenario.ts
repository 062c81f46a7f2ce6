// Scaling on latency-32 (g): throughput against parallelism and page concurrency at 100 ms per API call.
import { DEFAULT_BUDGET_OPTIONS } from '../activities/mimecast/api-budget';
import { apiCallsByEndpoint } from '../client/simulator-control';
import { parseSettingsLenient } from '../common/settings';
import { createBenchSource } from './bench-source';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process';
import { startWorker, withSources, type BenchContext } from './bench-context';
import { temporalCrawl, type CrawlFigures } from './crawl-runs';
import { mailboxTimeline, type MailboxTimeline } from './mailbox-timeline';

/** performance.pageConcurrency when a source does not set it. */
const DEFAULT_PAGE_CONCURRENCY = parseSettingsLenient({
  sourceId: 'x',
  messages: { startDate: '2000-01-01' },
}).performance.pageConcurrency;

export interface LatencyResult {
  lastDays: number;
  /** The settings that set the bound: performance.pageConcurrency, the budget's ceiling, the latency. */
  pageConcurrency: number;
  budgetCeiling: number;
  latencyMs: number;
  runs: {
    parallelism: number;
    pageConcurrency: number;
    figures: CrawlFigures;
    timeline?: MailboxTimeline;
    /** Calls that wait out the latency (every /api call and link GET) per message indexed. */
    callsPerMessage?: number;
  }[];
}

export async function latencyScenario(
  ctx: BenchContext,
  parallelisms: number[],
  lastDays: number,
  /** performance.pageConcurrency values to compare (default: the default alone). */
  pageConcurrencies: number[] = [DEFAULT_PAGE_CONCURRENCY],
): Promise<LatencyResult> {
  ctx.log(`scaling on preset latency-32 (100 ms per API call), messages of the last ${lastDays} days`);
  const sim: SimulatorProcess = await startSimulatorProcess({ preset: 'latency-32', seed: 1 });
  const worker = await startWorker(ctx);
  try {
    return await withSources(ctx, async (track) => {
      const runs: LatencyResult['runs'] = [];
      for (const pageConcurrency of pageConcurrencies) {
        for (const parallelism of parallelisms) {
          const source = track(
            await createBenchSource(ctx.es, `g-p${parallelism}-c${pageConcurrency}`, {
              apiUrl: sim.url,
              attachments: true,
              parallelism,
              lastDays,
              pageConcurrency,
            }),
          );
          await sim.control.resetCounters();
          const { figures: f } = await temporalCrawl(
            ctx,
            worker,
            sim,
            source,
            `(g) parallelism ${parallelism}, page concurrency ${pageConcurrency}`,
            3_600_000,
          );
          const counters = await sim.control.counters();
          const calls = apiCallsByEndpoint(counters).total + (counters['link-get'] ?? 0);
          const callsPerMessage = calls / Math.max(1, f.messages);
          const timeline = await mailboxTimeline(ctx.temporal, source.sourceId);
          ctx.log(`    where a mailbox's time goes (mean ms): ${JSON.stringify(timeline)}`);
          runs.push({ parallelism, pageConcurrency, figures: f, timeline, callsPerMessage });
        }
      }
      return {
        lastDays,
        runs,
        pageConcurrency: DEFAULT_PAGE_CONCURRENCY,
        budgetCeiling: DEFAULT_BUDGET_OPTIONS.max,
        latencyMs: 100,
      };
    });
  } finally {
    await worker.stop();
    await sim.close();
  }
}
