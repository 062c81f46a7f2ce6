// One measured crawl (through Temporal or the plain loop) and the figures it yields.
import type { ActivityDeps } from '../activities/deps';
import type { MessageCounters } from '../common/message-counters';
import type { BenchSource } from './bench-source';
import { runPlainLoop } from './plain-loop';
import type { SimulatorProcess } from './simulator-process';
import { runTemporalCrawl } from './temporal-crawl';
import { cpuMeter } from './child-process';
import type { WorkerProcess } from './worker-process';
import { serverPids, type BenchContext } from './bench-context';

export const MB = 1024 * 1024;

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

export async function temporalCrawl(
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

export async function plainCrawl(
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
