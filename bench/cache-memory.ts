// `npx tsx bench/cache-memory.ts [workflows]`: worker memory per cached mailbox workflow. Starts N
// crawlMailbox workflows with no request (each runs one workflow task and waits, cached) on a fresh
// worker and reads the worker's RSS before and after (no activity runs, so nothing else grows).
import { mailboxWorkflowId, type CrawlMailboxInput } from '../common/contracts';
import { readRss } from './child-process';
import { startWorker } from './bench-context';
import { openStandaloneContext, sleep } from './standalone-context';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 300);
  const { ctx, client, close } = await openStandaloneContext();
  const worker = await startWorker(ctx);
  const sourceId = `bench-cache-${Date.now()}`;
  const ids: string[] = [];
  try {
    await sleep(5000);
    const before = readRss(worker.child.pid)!.rss;
    for (let i = 0; i < count; i++) {
      const address = `user${i}@example.com`;
      const input: CrawlMailboxInput = { sourceId, address, mailboxKey: address, domain: 'example.com' };
      const id = mailboxWorkflowId(sourceId, address);
      ids.push(id);
      await client.workflow.start('crawlMailbox', {
        taskQueue: worker.taskQueue,
        workflowId: id,
        args: [input],
      });
    }
    // Every workflow ran its first task (the identity upsert) and waits in the cache.
    for (const id of ids) {
      for (;;) {
        const d = await client.workflow.getHandle(id).describe();
        if (d.historyLength >= 4 && !d.raw.pendingWorkflowTask) break;
        await sleep(200);
      }
    }
    await sleep(5000);
    const after = readRss(worker.child.pid)!.rss;
    process.stdout.write(
      `${count} cached mailbox workflows: worker RSS ${(before / 2 ** 20).toFixed(0)} MB → ${(after / 2 ** 20).toFixed(0)} MB = ${((after - before) / 1024 / count).toFixed(0)} KB per cached workflow\n`,
    );
  } finally {
    for (const id of ids)
      await client.workflow
        .getHandle(id)
        .terminate('measured')
        .catch(() => undefined);
    await worker.stop();
    await close();
  }
}

main().catch((err) => {
  process.stderr.write(`cache-memory failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
