// The quota-bound run: latency-32 (100 ms per call) behind the simulator's per-app quota of Q calls
// per second, crawled by one and then by two worker processes on one task queue. Each worker's API
// budget must find its share: calls answered per second against Q, and 429s against all calls.
import { apiCallsByEndpoint } from '../client/simulator-control';
import { createBenchSource } from './bench-source';
import { startSimulatorProcess, simulatorControl, type SimulatorProcess } from './simulator-process';
import { runTemporalCrawl } from './temporal-crawl';
import { terminateSourceWorkflows } from './workflow-histories';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { SIM_CREDENTIAL, type BenchContext } from './bench-context';

export interface QuotaRun {
  workers: number;
  messages: number;
  seconds: number;
  /** /api calls answered (not 429) and 429s over the whole pass. */
  answered: number;
  throttled: number;
  /** Answered calls per second while the crawl was in full swing (10 %–90 % of its calls). */
  steadyCallsPerSecond: number;
}

export interface QuotaResult {
  quotaPerSecond: number;
  lastDays: number;
  parallelism: number;
  runs: QuotaRun[];
}

/** Samples the simulator's answered /api calls twice a second. */
function sampleCalls(sim: SimulatorProcess): { stop(): Promise<{ at: number; answered: number }[]> } {
  const samples: { at: number; answered: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const counters = await sim.control.counters();
      samples.push({ at: Date.now(), answered: apiCallsByEndpoint(counters).total - (counters['429'] ?? 0) });
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Calls per second between the samples at 10 % and 90 % of the calls: ramp-up and tail left out. */
function steadyRate(samples: { at: number; answered: number }[]): number {
  const total = samples.at(-1)?.answered ?? 0;
  const from = samples.find((s) => s.answered >= total * 0.1);
  const to = samples.find((s) => s.answered >= total * 0.9);
  if (!from || !to || to.at <= from.at) return 0;
  return ((to.answered - from.answered) * 1000) / (to.at - from.at);
}

export async function quotaScenario(
  ctx: BenchContext,
  quotaPerSecond: number,
  lastDays: number,
  parallelism = 8,
): Promise<QuotaResult> {
  ctx.log(`quota-bound: latency-32 behind a quota of ${quotaPerSecond} calls/s, 1 and 2 workers`);
  const sim = await startSimulatorProcess({ preset: 'latency-32', seed: 1 });
  await simulatorControl(sim.url, 'set-faults', { spec: `quota=${quotaPerSecond}` });
  const runs: QuotaRun[] = [];
  try {
    for (const count of [1, 2]) {
      const workers: WorkerProcess[] = [];
      const source = await createBenchSource(ctx.es, `q-w${count}`, {
        apiUrl: sim.url,
        attachments: false,
        parallelism,
        lastDays,
      });
      try {
        for (let i = 0; i < count; i++) {
          workers.push(
            await startWorkerProcess({
              ...SIM_CREDENTIAL,
              ...(ctx.workflowBundlePath ? { workflowBundlePath: ctx.workflowBundlePath } : {}),
              ...(ctx.compiledDir ? { compiledDir: ctx.compiledDir } : {}),
              ...(workers[0] ? { taskQueue: workers[0].taskQueue } : {}),
            }),
          );
        }
        // A full bucket before each run, so both runs start alike.
        await new Promise((r) => setTimeout(r, 1_500));
        await sim.control.resetCounters();
        ctx.log(`  ${count} worker(s): crawlArchive through Temporal …`);
        const sampler = sampleCalls(sim);
        const run = await runTemporalCrawl(ctx.temporal, workers[0]!, source.settings, 3_600_000);
        const samples = await sampler.stop();
        const counters = await sim.control.counters();
        const throttled = counters['429'] ?? 0;
        const quotaRun: QuotaRun = {
          workers: count,
          messages: run.result.messages.indexed,
          seconds: run.seconds,
          answered: apiCallsByEndpoint(counters).total - throttled,
          throttled,
          steadyCallsPerSecond: steadyRate(samples),
        };
        ctx.log(
          `    ${quotaRun.messages} messages in ${run.seconds.toFixed(1)} s; ${quotaRun.steadyCallsPerSecond.toFixed(1)} calls/s steady (quota ${quotaPerSecond}); ${throttled} 429s of ${quotaRun.answered + throttled} calls`,
        );
        runs.push(quotaRun);
      } finally {
        if (!ctx.keep) await terminateSourceWorkflows(ctx.temporal, source.sourceId).catch(() => undefined);
        for (const w of workers) await w.stop();
        if (!ctx.keep) await source.remove(ctx.es).catch(() => undefined);
      }
    }
    return { quotaPerSecond, lastDays, parallelism, runs };
  } finally {
    await sim.close();
  }
}
