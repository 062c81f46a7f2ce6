// Throughput on a named preset (a, b, c, f): Temporal vs the plain loop vs raw _bulk, API calls, histories.
import type { PresetName } from '../simulator';
import { presetPlan } from '../simulator/presets';
import { apiCallsByEndpoint } from '../client/simulator-control';
import { createBenchSource } from './bench-source';
import { runRawBulk } from './raw-bulk';
import { startSimulatorProcess, simulatorControl, type SimulatorProcess } from './simulator-process';
import { historyStats, type HistoryStats } from './workflow-histories';
import { plainDeps, startWorker, withSources, type BenchContext } from './bench-context';
import { MB, plainCrawl, temporalCrawl, type CrawlFigures } from './crawl-runs';

export interface ThroughputResult {
  preset: PresetName;
  temporalOff: CrawlFigures;
  plainOff: CrawlFigures;
  rawBulk: { seconds: number; messages: number; documents: number; perSecond: number; mb: number };
  temporalOn: CrawlFigures;
  plainOn: CrawlFigures;
  /** (a) with attachments on and longer windows (MailboxTuning.windowDays), when asked for. */
  tuned?: {
    windowDays: number;
    figures: CrawlFigures;
    apiCallsPerMessage: number;
    listCalls: number;
    activities: number;
  };
  apiCalls: {
    total: number;
    perMessage: number;
    linkGets: number;
    linkGetsPerMessage: number;
    auth: number;
    byEndpoint: [string, number][];
  };
  histories: HistoryStats;
  workerPeakRssMb: number;
}

export async function throughputScenario(
  ctx: BenchContext,
  preset: PresetName,
  parallelism: number,
  tunedWindowDays: number,
): Promise<ThroughputResult> {
  ctx.log(`throughput on preset ${preset} (parallelism ${parallelism})`);
  const sim: SimulatorProcess = await startSimulatorProcess({ preset, seed: 1 });
  const worker = await startWorker(ctx);
  const plain = plainDeps(ctx.es);
  try {
    return await withSources(ctx, async (track) => {
      // startDate at the archive's first message, as an operator would set it (not years before it).
      const lastDays = presetPlan(preset).spanDays + 1;
      const source = async (label: string, attachments: boolean) =>
        track(
          await createBenchSource(ctx.es, label, { apiUrl: sim.url, attachments, parallelism, lastDays }),
        );

      // Order b, a, a, b: a load that drifts during the run (2 shared cores) favours neither side.
      const plainOff = await plainCrawl(
        ctx,
        plain.deps,
        sim,
        await source('b-off', false),
        '(b) plain loop, attachments off',
      );
      // Attachments off, no latency: the comparison with the raw sink.
      const aOffSource = await source('a-off', false);
      const aOff = await temporalCrawl(
        ctx,
        worker,
        sim,
        aOffSource,
        '(a) Temporal, attachments off',
        3_600_000,
      );
      ctx.log('  (c) raw _bulk of the same documents …');
      const raw = await runRawBulk(ctx.es, aOffSource.prefix, parallelism);
      ctx.log(`    ${raw.messages} messages (${raw.documents} documents) in ${raw.seconds.toFixed(2)} s`);

      // Attachments on, content as download links (one link GET per download): API calls per message.
      await simulatorControl(sim.url, 'set-switches', { download: 'link' });
      await sim.control.resetCounters();
      const aOn = await temporalCrawl(
        ctx,
        worker,
        sim,
        await source('a-on', true),
        '(a) Temporal, attachments on',
        3_600_000,
      );
      const counters = await sim.control.counters();
      const histories = await historyStats(ctx.temporal, aOn.run.result.sourceId);
      const plainOn = await plainCrawl(
        ctx,
        plain.deps,
        sim,
        await source('b-on', true),
        '(b) plain loop, attachments on',
      );

      const api = apiCallsByEndpoint(counters);
      const indexed = aOn.figures.messages || 1;

      let tuned: ThroughputResult['tuned'];
      if (tunedWindowDays > 0) {
        await sim.control.resetCounters();
        const label = `(a) Temporal, attachments on, ${tunedWindowDays}-day windows`;
        const run = await temporalCrawl(
          ctx,
          worker,
          sim,
          await source('a-tuned', true),
          label,
          3_600_000,
          tunedWindowDays,
        );
        const tunedApi = apiCallsByEndpoint(await sim.control.counters());
        const tunedHistories = await historyStats(ctx.temporal, run.run.result.sourceId);
        tuned = {
          windowDays: tunedWindowDays,
          figures: run.figures,
          apiCallsPerMessage: tunedApi.total / (run.figures.messages || 1),
          listCalls: tunedApi.byEndpoint.find(([e]) => e === '/api/archive/get-message-list')?.[1] ?? 0,
          activities: tunedHistories.activities.count,
        };
      }
      return {
        ...(tuned ? { tuned } : {}),
        preset,
        temporalOff: aOff.figures,
        plainOff,
        rawBulk: {
          seconds: raw.seconds,
          messages: raw.messages,
          documents: raw.documents,
          perSecond: raw.messages / raw.seconds,
          mb: raw.bytes / MB,
        },
        temporalOn: aOn.figures,
        plainOn,
        apiCalls: {
          total: api.total,
          perMessage: api.total / indexed,
          linkGets: counters['link-get'] ?? 0,
          linkGetsPerMessage: (counters['link-get'] ?? 0) / indexed,
          auth: counters.auth ?? 0,
          byEndpoint: api.byEndpoint,
        },
        histories,
        workerPeakRssMb: Math.max(aOff.run.peakRssBytes, aOn.run.peakRssBytes) / MB,
      };
    });
  } finally {
    await plain.close();
    await worker.stop();
    await sim.close();
  }
}
