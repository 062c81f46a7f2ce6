// Scenario `steady-state` (issue [J]): many small mailboxes (preset many-mailboxes), a first pass,
// a delta pass with nothing new and a delta pass with 1 % of the mailboxes receiving one message,
// each through Temporal and as a plain loop making the same API calls, side by side. Per pass:
// seconds, mailboxes/s, worker and Temporal-server CPU per mailbox, and workflow tasks, activities
// and history events per mailbox counted from the histories.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { indexNames } from '../common/node/documents';
import type { SourceSettings } from '../common/settings';
import type { MailboxTuning } from '../common/contracts';
import { createBenchSource } from './bench-source';
import { cpuMeter, readRss } from './child-process';
import { costBetween, historyCosts, type HistoryCosts } from './history-costs';
import { runPlainLoop } from './plain-loop';
import { plainDeps, serverPids, startWorker, withSources, type BenchContext } from './bench-context';
import { simulatorControl, startSimulatorProcess } from './simulator-process';
import { runTemporalCrawl } from './temporal-crawl';

export interface SteadyPass {
  label: string;
  mailboxes: number;
  temporalSeconds: number;
  plainSeconds: number;
  parallelism: number;
  /** CPU seconds per mailbox: worker, Temporal server, Elasticsearch, simulator (Temporal run). */
  cpuPerMailbox: Record<string, number>;
  /**
   * The shared Temporal server's CPU seconds per second measured for 10 s before the pass (other
   * users of the machine); `temporalNet` = its CPU per mailbox minus that rate over the pass.
   */
  temporalBackgroundCpuPerSecond: number;
  temporalNetCpuPerMailbox: number;
  plainCpuPerMailbox: Record<string, number>;
  /** Per mailbox, counted from the histories (mailbox workflows; the pass workflow apart). */
  perMailbox: { workflowTasks: number; activities: number; events: number; upserts: number };
  passWorkflow: { workflowTasks: number; activities: number; events: number; runs: number };
  /** Mailboxes the pass's idle screen left asleep (counted as completed). */
  idleMailboxes: number;
  /** Mean ms of a mailbox workflow task: scheduled → started, started → completed. */
  mailboxTaskMs: { wait: number; run: number };
  messagesIndexed: number;
  failedMailboxes: number;
}

export interface SteadyStateResult {
  mailboxes: number;
  parallelism: number;
  tuning: MailboxTuning;
  passes: SteadyPass[];
  exactIndex: { expected: number; indexed: number; missing: number; extra: number };
  workerRssMb: { beforeFirstPass: number; afterFirstPass: number; perCachedWorkflowKb: number };
}

const MB = 1024 * 1024;

/** Expected (simulator ground truth, expired/recalled excluded) against indexed, by mailbox|view|id. */
async function exactIndexCheck(
  es: ElasticClient,
  simUrl: string,
  settings: SourceSettings,
  mailboxes: string[],
): Promise<SteadyStateResult['exactIndex']> {
  const expected = new Set<string>();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < mailboxes.length; i = next++) {
      const mailbox = mailboxes[i]!;
      for (const view of ['INBOX', 'SENT'] as const) {
        const messages = await simulatorControl<{ id: string; expired: boolean; recalled: boolean }[]>(
          simUrl,
          'expected-messages',
          { mailbox, view },
        );
        for (const m of messages)
          if (!m.expired && !m.recalled) expected.add(`${mailbox.toLowerCase()}|${view}|${m.id}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  const index = indexNames(settings.index.prefix).messages;
  await es.indices.refresh({ index });
  const indexed = new Set<string>();
  let searchAfter: (string | number)[] | undefined;
  for (;;) {
    const page = await es.search<{ mailbox: string; view: string; mimecastId: string }>({
      index,
      size: 5000,
      _source: ['mailbox', 'view', 'mimecastId'],
      query: { term: { source: settings.sourceId } },
      sort: ['_doc'],
      ...(searchAfter ? { search_after: searchAfter } : {}),
    });
    const hits = page.hits.hits;
    for (const h of hits) indexed.add(`${h._source!.mailbox}|${h._source!.view}|${h._source!.mimecastId}`);
    if (hits.length < 5000) break;
    searchAfter = hits[hits.length - 1]!.sort as (string | number)[];
  }
  let missing = 0;
  for (const key of expected) if (!indexed.has(key)) missing += 1;
  let extra = 0;
  for (const key of indexed) if (!expected.has(key)) extra += 1;
  return { expected: expected.size, indexed: indexed.size, missing, extra };
}

const perMailbox = (value: number, mailboxes: number) => Math.round((value / mailboxes) * 1000) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function steadyStateScenario(
  ctx: BenchContext,
  mailboxCount: number,
  parallelism: number,
  tuning: MailboxTuning = {},
  workerEnv: Record<string, string> = {},
  firstPassParallelism?: number,
): Promise<SteadyStateResult> {
  ctx.log(`steady state on preset many-mailboxes: ${mailboxCount} mailboxes, parallelism ${parallelism}`);
  const sim = await startSimulatorProcess({ preset: 'many-mailboxes', mailboxCount, seed: 1 });
  const worker = await startWorker(ctx, workerEnv);
  const plain = plainDeps(ctx.es);
  try {
    return await withSources(ctx, async (track) => {
      const options = { apiUrl: sim.url, attachments: false, parallelism, lastDays: 31 };
      const temporalSource = track(await createBenchSource(ctx.es, 'steady', options));
      const plainSource = track(await createBenchSource(ctx.es, 'steady-plain', options));
      const mailboxes = await sim.control.mailboxes();
      const pids: Record<string, number | undefined> = { simulator: sim.child.pid, ...serverPids() };
      const passes: SteadyPass[] = [];
      const rssBefore = readRss(worker.child.pid)?.rss ?? 0;
      let rssAfterFirst = 0;
      let costs: HistoryCosts = await historyCosts(ctx.temporal, temporalSource.sourceId);

      const pass = async (label: string, passParallelism = parallelism) => {
        const withParallelism = (settings: SourceSettings): SourceSettings => ({
          ...settings,
          parallelism: { ...settings.parallelism, mailboxCrawling: passParallelism },
        });
        const background = cpuMeter({ temporal: pids.temporal });
        await sleep(10_000);
        const backgroundRate = (background.stop().temporal ?? 0) / 10;
        ctx.log(`  ${label}: crawlArchive through Temporal (parallelism ${passParallelism}) …`);
        const run = await runTemporalCrawl(
          ctx.temporal,
          worker,
          withParallelism(temporalSource.settings),
          4 * 3_600_000,
          pids,
          undefined,
          tuning,
        );
        if (!rssAfterFirst) rssAfterFirst = readRss(worker.child.pid)?.rss ?? 0;
        // The mailboxes' last workflow task (after their report was delivered) follows the pass's end.
        await sleep(5000);
        const after = await historyCosts(ctx.temporal, temporalSource.sourceId);
        const cost = costBetween(costs, after);
        costs = after;
        ctx.log(`  ${label}: plain loop making the same calls …`);
        const plainCpu = cpuMeter({ loop: process.pid, ...pids });
        const plainRun = await runPlainLoop(plain.deps, withParallelism(plainSource.settings));
        const plainCpuSeconds = plainCpu.stop();
        const n = run.result.mailboxes.total || mailboxes.length;
        const figures: SteadyPass = {
          label,
          mailboxes: n,
          parallelism: passParallelism,
          temporalSeconds: run.seconds,
          plainSeconds: plainRun.seconds,
          temporalBackgroundCpuPerSecond: Math.round(backgroundRate * 1000) / 1000,
          temporalNetCpuPerMailbox: perMailbox(
            Math.max(0, (run.cpu.temporal ?? 0) - backgroundRate * run.seconds),
            n,
          ),
          cpuPerMailbox: Object.fromEntries(Object.entries(run.cpu).map(([k, v]) => [k, perMailbox(v, n)])),
          plainCpuPerMailbox: Object.fromEntries(
            Object.entries(plainCpuSeconds).map(([k, v]) => [k, perMailbox(v, n)]),
          ),
          perMailbox: {
            workflowTasks: perMailbox(cost.crawlMailbox.workflowTasks, n),
            activities: perMailbox(cost.crawlMailbox.activities, n),
            events: perMailbox(cost.crawlMailbox.events, n),
            upserts: perMailbox(cost.crawlMailbox.upserts, n),
          },
          passWorkflow: {
            workflowTasks: cost.crawlArchive.workflowTasks,
            activities: cost.crawlArchive.activities,
            events: cost.crawlArchive.events,
            runs: cost.crawlArchive.runs,
          },
          mailboxTaskMs: {
            wait: Math.round(cost.crawlMailbox.taskWaitMs / Math.max(1, cost.crawlMailbox.workflowTasks)),
            run: Math.round(cost.crawlMailbox.taskRunMs / Math.max(1, cost.crawlMailbox.workflowTasks)),
          },
          idleMailboxes: run.result.mailboxes.idle ?? 0,
          messagesIndexed: run.result.messages.indexed,
          failedMailboxes: run.result.mailboxes.failed,
        };
        ctx.log(`    ${JSON.stringify(figures)}`);
        passes.push(figures);
      };

      await pass('first pass', firstPassParallelism ?? parallelism);
      ctx.log('  exact index check …');
      const exactIndex = await exactIndexCheck(ctx.es, sim.url, temporalSource.settings, mailboxes);
      ctx.log(`    ${JSON.stringify(exactIndex)}`);
      await pass('delta, nothing new');
      const receiving = mailboxes.filter((_, i) => i % 100 === 0);
      for (const mailbox of receiving) await sim.control.addMessages(mailbox, 1);
      await pass(`delta, ${receiving.length} mailboxes (1 %) with one new message`);
      return {
        mailboxes: mailboxes.length,
        parallelism,
        tuning,
        passes,
        exactIndex,
        workerRssMb: {
          beforeFirstPass: rssBefore / MB,
          afterFirstPass: rssAfterFirst / MB,
          perCachedWorkflowKb: Math.round((rssAfterFirst - rssBefore) / 1024 / mailboxes.length),
        },
      };
    });
  } finally {
    await plain.close();
    await worker.stop();
    await sim.close();
  }
}
