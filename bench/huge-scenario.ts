// Memory on huge-mailbox (e): one mailbox of 100,000 messages, the worker's peak RSS and history sizes.
import { presetPlan } from '../simulator/presets';
import { createBenchSource } from './bench-source';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process';
import { historyStats, type HistoryStats } from './workflow-histories';
import { startWorker, withSources, type BenchContext } from './bench-context';
import { MB, temporalCrawl, type CrawlFigures } from './crawl-runs';

export interface HugeResult {
  lastDays?: number;
  attachments: boolean;
  figures: CrawlFigures;
  peakRssMb: number;
  lifetimePeakRssMb: number;
  histories: HistoryStats;
}

export async function hugeScenario(
  ctx: BenchContext,
  lastDays: number | undefined,
  attachments = true,
): Promise<HugeResult> {
  ctx.log(
    `memory on preset huge-mailbox (one mailbox, 100,000 messages)${lastDays ? `, messages of the last ${lastDays} of 1,095 days` : ''}`,
  );
  const sim: SimulatorProcess = await startSimulatorProcess({ preset: 'huge-mailbox', seed: 1 });
  const worker = await startWorker(ctx);
  try {
    return await withSources(ctx, async (track) => {
      const source = track(
        await createBenchSource(ctx.es, 'e-huge', {
          apiUrl: sim.url,
          attachments,
          parallelism: 4,
          lastDays: lastDays ?? presetPlan('huge-mailbox').spanDays + 1,
        }),
      );
      const { figures: f, run } = await temporalCrawl(
        ctx,
        worker,
        sim,
        source,
        '(e) huge mailbox',
        4 * 3_600_000,
      );
      const histories = await historyStats(ctx.temporal, source.sourceId);
      ctx.log(
        `    peak worker RSS ${(run.peakRssBytes / MB).toFixed(0)} MB during the crawl, ${(run.lifetimePeakRssBytes / MB).toFixed(0)} MB over its life; max history ${histories.maxEvents} events over ${histories.runs} runs`,
      );
      return {
        ...(lastDays ? { lastDays } : {}),
        attachments,
        figures: f,
        peakRssMb: run.peakRssBytes / MB,
        lifetimePeakRssMb: run.lifetimePeakRssBytes / MB,
        histories,
      };
    });
  } finally {
    await worker.stop();
    await sim.close();
  }
}
