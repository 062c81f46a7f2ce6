// `npm run bench [-- --quick]`: the benchmark of docs/architecture.md, Tests and benchmarks / issue 9 in one
// run — throughput through Temporal vs a plain loop vs raw _bulk, API calls per message, history events per
// run, scaling on latency-32, and peak worker memory on huge-mailbox — printed side by side with the targets.
import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_ELASTICSEARCH_URL, DEFAULT_TEMPORAL_ADDRESS } from '../common/node/defaults';
import { PRESET_NAMES, type PresetName } from '../simulator';
import { REPO_ROOT } from './child-process';
import { machineInfo } from './machine';
import { buildWorkflowBundle } from './workflow-bundle';
import { compileForBench } from './compiled-build';
import { formatReport, targetChecks, type BenchResults } from './report';
import { hugeScenario } from './huge-scenario';
import { latencyScenario } from './latency-scenario';
import { throughputScenario } from './throughput-scenario';
import { quotaScenario } from './quota-scenario';
import { steadyStateScenario } from './steady-state';

type Group = 'throughput' | 'latency' | 'quota' | 'huge' | 'steady-state';
const GROUPS: Group[] = ['throughput', 'latency', 'quota', 'huge', 'steady-state'];

interface Options {
  quick?: boolean;
  preset?: string;
  parallelism: string;
  tunedWindowDays: string;
  latencyDays?: string;
  latencyParallelism: string;
  latencyPageConcurrency?: string;
  quota: string;
  quotaParallelism: string;
  quotaDays?: string;
  hugeDays?: string;
  hugeWithoutAttachments?: boolean;
  only?: string;
  steadyMailboxes?: string;
  steadyParallelism: string;
  steadyFirstParallelism?: string;
  steadyBetweenPassesAfterEvents?: string;
  steadyMaxCachedWorkflows?: string;
  keep?: boolean;
  bundleAtStart?: boolean;
  fromSources?: boolean;
  json?: string;
}

/** Sizes of a quick run (a few minutes) and of a full one (the whole presets). */
const SIZES = {
  quick: {
    preset: 'demo' as PresetName,
    latencyDays: 12,
    hugeDays: 40 as number | undefined,
    mailboxes: 250,
  },
  full: {
    preset: 'medium' as PresetName,
    latencyDays: 45,
    hugeDays: undefined as number | undefined,
    mailboxes: 10_000,
  },
};

async function main(): Promise<void> {
  const program = new Command('bench')
    .description('Throughput, API calls, memory and history size of the crawler, against its targets')
    .option('--quick', 'smaller presets and fractions (a few minutes)')
    .addOption(new Option('--preset <name>', 'throughput preset').choices(PRESET_NAMES))
    .option('--parallelism <n>', 'parallelism.mailboxCrawling of the throughput runs', '4')
    .option('--latency-days <n>', 'latency-32: only messages of the last N of 180 days (full: 45, quick: 12)')
    .option('--latency-parallelism <list>', 'latency-32: parallelism values', '1,4,8')
    .option(
      '--latency-page-concurrency <list>',
      'latency-32: performance.pageConcurrency values to compare (default: the default only)',
    )
    .option('--quota <n>', "quota-bound run: the simulator's per-app quota, calls per second", '40')
    .option(
      '--quota-parallelism <n>',
      'quota-bound run: parallelism.mailboxCrawling (high enough that the crawler would exceed the quota)',
      '16',
    )
    .option('--quota-days <n>', 'quota-bound run: messages of the last N days (default: --latency-days)')
    .option(
      '--huge-days <n>',
      'huge-mailbox: only messages of the last N of 1,095 days (full: all, quick: 40)',
    )
    .option('--tuned-window-days <n>', 'one more (a) run with MailboxTuning.windowDays = N (0 = skip)', '30')
    .option(
      '--huge-without-attachments',
      'huge-mailbox with attachments.extract off (what the extraction threads cost)',
    )
    .option(
      '--steady-mailboxes <n>',
      'steady-state: the first N mailboxes of many-mailboxes (full: 10,000, quick: 250)',
    )
    .option('--steady-parallelism <n>', 'steady-state: parallelism.mailboxCrawling', '8')
    .option(
      '--steady-first-parallelism <n>',
      'steady-state: parallelism of the first pass (default: --steady-parallelism)',
    )
    .option(
      '--steady-between-passes-after-events <n>',
      'steady-state: MailboxTuning.continueAsNewBetweenPassesAfterEvents (0 = continue-as-new after every pass)',
    )
    .option(
      '--steady-max-cached-workflows <n>',
      'steady-state: MAX_CACHED_WORKFLOWS of the worker (0 = evict after every task)',
    )
    .option('--only <groups>', `comma-separated subset of ${GROUPS.join(',')}`)
    .option(
      '--bundle-at-start',
      'workers bundle the workflow code at start-up (workers/main.ts as is) instead of loading a prebuilt bundle',
    )
    .option(
      '--from-sources',
      'workers run the TypeScript sources under tsx instead of the tsc build (production runs the build)',
    )
    .option('--keep', 'keep the indices and workflows afterwards')
    .option('--json <file>', 'also write the results as JSON', '.data/bench/latest.json')
    .parse(process.argv);
  const o = program.opts<Options>();
  const size = o.quick ? SIZES.quick : SIZES.full;
  // steady-state is long (thousands of mailboxes): asked for by name.
  const groups = o.only
    ? (o.only.split(',').map((g) => g.trim()) as Group[])
    : GROUPS.filter((g) => g !== 'steady-state');
  for (const g of groups)
    if (!GROUPS.includes(g)) throw new Error(`unknown group ${g} (one of ${GROUPS.join(', ')})`);

  const es = new ElasticClient({ node: process.env.ELASTICSEARCH_URL ?? DEFAULT_ELASTICSEARCH_URL });
  const connection = await Connection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
  });
  const temporal = new TemporalClient({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const workflowBundlePath = o.bundleAtStart ? undefined : await buildWorkflowBundle();
  if (!o.fromSources) log('compiling the crawler with tsc (the workers run the build, as in production) …');
  const compiledDir = o.fromSources ? undefined : compileForBench();
  const ctx = {
    ...(compiledDir ? { compiledDir } : {}),
    es,
    temporal,
    log,
    keep: Boolean(o.keep),
    ...(workflowBundlePath ? { workflowBundlePath } : {}),
  };
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    workers: `${
      workflowBundlePath
        ? 'createWorker with a prebuilt workflow bundle (bench/prebuilt-worker.ts)'
        : 'workers/main.ts (bundles at start-up)'
    }, ${compiledDir ? 'compiled with tsc, plain node' : 'sources under tsx'}`,
    machine: await machineInfo(es, temporal),
  };
  try {
    if (groups.includes('throughput')) {
      results.throughput = await throughputScenario(
        ctx,
        (o.preset as PresetName) ?? size.preset,
        Number(o.parallelism),
        Number(o.tunedWindowDays),
      );
    }
    if (groups.includes('latency')) {
      const parallelisms = o.latencyParallelism.split(',').map(Number);
      results.latency = await latencyScenario(
        ctx,
        parallelisms,
        o.latencyDays ? Number(o.latencyDays) : size.latencyDays,
        ...(o.latencyPageConcurrency ? [o.latencyPageConcurrency.split(',').map(Number)] : []),
      );
    }
    if (groups.includes('quota')) {
      results.quota = await quotaScenario(
        ctx,
        Number(o.quota),
        Number(o.quotaDays ?? o.latencyDays ?? size.latencyDays),
        Number(o.quotaParallelism),
      );
    }
    if (groups.includes('huge')) {
      results.huge = await hugeScenario(
        ctx,
        o.hugeDays ? Number(o.hugeDays) : size.hugeDays,
        !o.hugeWithoutAttachments,
      );
    }
    if (groups.includes('steady-state')) {
      results.steadyState = await steadyStateScenario(
        ctx,
        o.steadyMailboxes ? Number(o.steadyMailboxes) : size.mailboxes,
        Number(o.steadyParallelism),
        o.steadyBetweenPassesAfterEvents !== undefined
          ? { continueAsNewBetweenPassesAfterEvents: Number(o.steadyBetweenPassesAfterEvents) }
          : {},
        o.steadyMaxCachedWorkflows !== undefined ? { MAX_CACHED_WORKFLOWS: o.steadyMaxCachedWorkflows } : {},
        o.steadyFirstParallelism ? Number(o.steadyFirstParallelism) : undefined,
      );
    }
  } finally {
    results.loadAverageEnd = Math.round(loadavg()[0]! * 10) / 10;
    const report = formatReport(results);
    process.stdout.write(`\n${report}\n`);
    if (o.json) {
      const file = resolve(REPO_ROOT, o.json);
      mkdirSync(resolve(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify({ ...results, targets: targetChecks(results), report }, null, 2));
    }
    await connection.close();
    await es.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
