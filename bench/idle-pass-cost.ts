// `npx tsx bench/idle-pass-cost.ts [passes]`: what an idle delta pass costs the worker when the
// mailbox workflow waits in place (patch steady-state) or continues-as-new after every pass, with
// the workflow cached (default cache) or evicted (MAX_CACHED_WORKFLOWS=0: every task replays the
// run's history). One mailbox per variant, driven by crawlRequested signals without a pass.
import { mailboxWorkflowId, type CrawlMailboxInput, type CrawlRequest } from '../common/contracts';
import { crawlRequestedSignal } from '../common/messages';
import { MimecastPassId } from '../common/search-attributes';
import { createBenchSource } from './bench-source';
import { cpuSeconds } from './child-process';
import { startWorker } from './bench-context';
import { startSimulatorProcess } from './simulator-process';
import { openStandaloneContext, sleep } from './standalone-context';

async function main(): Promise<void> {
  const passes = Number(process.argv[2] ?? 60);
  const { ctx, es, client, close } = await openStandaloneContext();
  const { log } = ctx;
  const sim = await startSimulatorProcess({ preset: 'many-mailboxes', mailboxCount: 8, seed: 1 });
  const mailboxes = (await sim.control.mailboxes()).filter((m) => !m.startsWith('team@'));
  const source = await createBenchSource(es, 'idle-cost', {
    apiUrl: sim.url,
    attachments: false,
    parallelism: 8,
    lastDays: 31,
  });
  const rows: string[] = [];
  try {
    for (const cache of ['default', '0']) {
      const worker = await startWorker(ctx, cache === '0' ? { MAX_CACHED_WORKFLOWS: '0' } : {});
      try {
        for (const betweenPasses of [undefined, 0]) {
          const address = mailboxes.shift()!;
          const workflowId = mailboxWorkflowId(source.sourceId, address);
          const request = (passId: string): CrawlRequest => ({
            passId,
            replyTo: '',
            mode: 'delta',
            refetchContent: false,
            settings: source.settings,
          });
          const input: CrawlMailboxInput = {
            sourceId: source.sourceId,
            address,
            mailboxKey: address,
            domain: address.split('@')[1]!,
            requests: [request('p0')],
            ...(betweenPasses !== undefined
              ? { tuning: { continueAsNewBetweenPassesAfterEvents: betweenPasses } }
              : {}),
          };
          await client.workflow.start('crawlMailbox', {
            taskQueue: worker.taskQueue,
            workflowId,
            args: [input],
          });
          const finished = async (passId: string) => {
            for (;;) {
              const d = await client.workflow.getHandle(workflowId).describe();
              const settled = !d.raw.pendingWorkflowTask && !(d.raw.pendingActivities ?? []).length;
              if (d.typedSearchAttributes.get(MimecastPassId) === passId && settled) return d.historyLength;
              await sleep(100);
            }
          };
          await finished('p0');
          const cpu: number[] = [];
          let lastLength = 0;
          for (let i = 1; i <= passes; i++) {
            const before = cpuSeconds(worker.child.pid);
            await client.workflow.getHandle(workflowId).signal(crawlRequestedSignal, request(`p${i}`));
            lastLength = await finished(`p${i}`);
            cpu.push(cpuSeconds(worker.child.pid) - before);
          }
          const ms = (xs: number[]) => ((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000).toFixed(1);
          const tenth = Math.max(1, Math.floor(passes / 10));
          const label = `${betweenPasses === 0 ? 'continue-as-new after every pass' : 'wait in place'}, cache ${cache}`;
          rows.push(
            `| ${label} | ${ms(cpu)} | ${ms(cpu.slice(0, tenth))} | ${ms(cpu.slice(-tenth))} | ${lastLength} |`,
          );
          log(rows[rows.length - 1]!);
          await client.workflow
            .getHandle(workflowId)
            .terminate('measured')
            .catch(() => undefined);
        }
      } finally {
        await worker.stop();
      }
    }
  } finally {
    await source.remove(es).catch(() => undefined);
    await sim.close();
    await close();
  }
  process.stdout.write(
    [
      `Worker CPU ms per idle pass over ${passes} passes (one mailbox, no pass workflow; load average shared machine):`,
      '',
      '| variant | mean | first 10 % | last 10 % | events in the run at the end |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`idle-pass-cost failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
