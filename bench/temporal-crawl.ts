// Scenario (a): one crawlArchive pass through Temporal, executed by the real worker process, timed
// from the start request to the pass result, with the worker's RSS sampled throughout.
import type { Client } from '@temporalio/client';
import { passWorkflowId, type CrawlArchiveInput, type CrawlArchiveResult } from '../common/contracts';
import type { SourceSettings } from '../common/settings';
import { sampleRss } from './child-process';
import type { WorkerProcess } from './worker-process';

export interface TemporalCrawlResult {
  seconds: number;
  result: CrawlArchiveResult;
  peakRssBytes: number;
}

export async function runTemporalCrawl(
  client: Client,
  worker: WorkerProcess,
  settings: SourceSettings,
  timeoutMs: number,
): Promise<TemporalCrawlResult> {
  const rss = sampleRss(worker.child.pid);
  const started = Date.now();
  const input: CrawlArchiveInput = { settings };
  const handle = await client.workflow.start('crawlArchive', {
    taskQueue: worker.taskQueue,
    workflowId: passWorkflowId(settings.sourceId),
    args: [input],
    workflowExecutionTimeout: timeoutMs,
  });
  try {
    const result = (await handle.result()) as CrawlArchiveResult;
    return { seconds: (Date.now() - started) / 1000, result, peakRssBytes: rss.stop().peakBytes };
  } finally {
    rss.stop();
  }
}
