// The benchmark's three groups of measurements (docs/architecture.md, Tests and benchmarks, issue 9):
// throughput on a named preset (a, b, c, d, f), scaling on latency-32 (g), and memory on huge-mailbox (e).
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import type { Client as TemporalClient } from '@temporalio/client';
import type { MessageCounters } from '../common/contracts';
import type { PresetName } from '../simulator';
import { presetPlan } from '../simulator/presets';
import { apiCallsByEndpoint } from '../client/simulator-control';
import { MimecastClientProvider } from '../activities/mimecast/client-provider';
import { ExtractionPool } from '../activities/extract/extraction-pool';
import { DEFAULT_BUDGET_OPTIONS } from '../activities/mimecast/api-budget';
import { parseSettingsLenient } from '../common/settings';
import type { ActivityDeps } from '../activities/deps';
import type { Logger } from '../activities/ports';
import { createBenchSource, type BenchSource } from './bench-source';
import { runPlainLoop } from './plain-loop';
import { runRawBulk } from './raw-bulk';
import { startSimulatorProcess, simulatorControl, type SimulatorProcess } from './simulator-process';
import { runTemporalCrawl } from './temporal-crawl';
import { cpuMeter, pidOfPort } from './child-process';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../common/node/defaults';
import { historyStats, terminateSourceWorkflows, type HistoryStats } from './workflow-histories';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

export const SIM_CREDENTIAL = { clientId: 'sim-client', clientSecret: 'sim-secret' };
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface BenchContext {
  es: ElasticClient;
  temporal: TemporalClient;
  log: (line: string) => void;
  /** Keep indices and workflows afterwards (to inspect them). */
  keep: boolean;
  /** Prebuilt workflow bundle for the worker processes; undefined = workers/main.ts bundles at start-up. */
  workflowBundlePath?: string;
  /** The tsc build the worker processes run (bench/compiled-build.ts); undefined = sources under tsx. */
  compiledDir?: string;
}

export function startWorker(ctx: BenchContext, env: Record<string, string> = {}): Promise<WorkerProcess> {
  return startWorkerProcess({
    ...SIM_CREDENTIAL,
    env,
    ...(ctx.workflowBundlePath ? { workflowBundlePath: ctx.workflowBundlePath } : {}),
    ...(ctx.compiledDir ? { compiledDir: ctx.compiledDir } : {}),
  });
}

export interface CrawlFigures {
  label: string;
  messages: number;
  seconds: number;
  perSecond: number;
  failedMailboxes: number;
  /** CPU seconds per process during the run (worker or bench loop, simulator, Temporal, Elasticsearch). */
  cpu: Record<string, number>;
}

function figures(
  label: string,
  counters: MessageCounters,
  seconds: number,
  failedMailboxes: number,
  cpu: Record<string, number>,
): CrawlFigures {
  return {
    label,
    messages: counters.indexed,
    seconds,
    perSecond: counters.indexed / seconds,
    failedMailboxes,
    cpu,
  };
}

/** The shared servers' processes, to account their CPU (undefined when not local). */
export function serverPids(): Record<string, number | undefined> {
  const temporalPort = Number((process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS).split(':').pop());
  const esPort = Number(new URL(process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL).port || 9200);
  return { temporal: pidOfPort(temporalPort), elasticsearch: pidOfPort(esPort) };
}

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
  runs: { parallelism: number; pageConcurrency: number; figures: CrawlFigures }[];
}

export interface HugeResult {
  lastDays?: number;
  attachments: boolean;
  figures: CrawlFigures;
  peakRssMb: number;
  lifetimePeakRssMb: number;
  histories: HistoryStats;
}

const MB = 1024 * 1024;

/** Plain-loop dependencies: the same classes the worker wires, in this process. */
export function plainDeps(es: ElasticClient): { deps: ActivityDeps; close(): Promise<void> } {
  const mimecast = new MimecastClientProvider({
    env: {
      MIMECAST_CLIENT_ID: SIM_CREDENTIAL.clientId,
      MIMECAST_CLIENT_SECRET: SIM_CREDENTIAL.clientSecret,
      MIMECAST_DEV_HOSTS: 'loopback',
    },
    logger: quiet,
  });
  const extraction = new ExtractionPool();
  return {
    deps: { elastic: es, mimecast, extraction, logger: quiet },
    async close() {
      await mimecast.close();
      await extraction.close();
    },
  };
}

export async function withSources<T>(
  ctx: BenchContext,
  body: (track: (s: BenchSource) => BenchSource) => Promise<T>,
): Promise<T> {
  const sources: BenchSource[] = [];
  try {
    return await body((s) => {
      sources.push(s);
      return s;
    });
  } finally {
    if (!ctx.keep) {
      for (const s of sources) {
        await terminateSourceWorkflows(ctx.temporal, s.sourceId).catch(() => undefined);
        await s.remove(ctx.es).catch(() => undefined);
      }
    }
  }
}

async function temporalCrawl(
  ctx: BenchContext,
  worker: WorkerProcess,
  sim: SimulatorProcess,
  source: BenchSource,
  label: string,
  timeoutMs: number,
  windowDays?: number,
) {
  ctx.log(`  ${label}: crawlArchive through Temporal …`);
  const run = await runTemporalCrawl(
    ctx.temporal,
    worker,
    source.settings,
    timeoutMs,
    { simulator: sim.child.pid, ...serverPids() },
    windowDays,
  );
  const f = figures(label, run.result.messages, run.seconds, run.result.mailboxes.failed, run.cpu);
  ctx.log(
    `    ${f.messages} messages in ${f.seconds.toFixed(1)} s = ${f.perSecond.toFixed(1)}/s (status ${run.result.status}); CPU s ${JSON.stringify(f.cpu)}`,
  );
  if (run.result.status !== 'Completed')
    ctx.log(`    pass status ${run.result.status}: ${run.result.error ?? ''}`);
  return { figures: f, run };
}

async function plainCrawl(
  ctx: BenchContext,
  deps: ActivityDeps,
  sim: SimulatorProcess,
  source: BenchSource,
  label: string,
) {
  ctx.log(`  ${label}: plain loop over the same activities …`);
  const cpu = cpuMeter({ loop: process.pid, simulator: sim.child.pid, ...serverPids() });
  const run = await runPlainLoop(deps, source.settings);
  const f = figures(label, run.counters, run.seconds, run.failedMailboxes.length, cpu.stop());
  ctx.log(
    `    ${f.messages} messages in ${f.seconds.toFixed(1)} s = ${f.perSecond.toFixed(1)}/s; CPU s ${JSON.stringify(f.cpu)}`,
  );
  for (const failure of run.failedMailboxes.slice(0, 3)) ctx.log(`    failed: ${failure}`);
  return f;
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
          const { figures: f } = await temporalCrawl(
            ctx,
            worker,
            sim,
            source,
            `(g) parallelism ${parallelism}, page concurrency ${pageConcurrency}`,
            3_600_000,
          );
          runs.push({ parallelism, pageConcurrency, figures: f });
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
