// Scenario (a): one crawlArchive pass through Temporal, executed by the real worker process, timed
// from the start request to the pass result, with the worker's RSS sampled throughout.
import type { Client } from '@temporalio/client';
import {
  passWorkflowId,
  type CrawlArchiveInput,
  type CrawlArchiveResult,
  type MailboxTuning,
} from '../common/contracts';
import type { SourceSettings } from '../common/settings';
import { cpuMeter, sampleRss } from './child-process';
import type { WorkerProcess } from './worker-process';

export interface TemporalCrawlResult {
  seconds: number;
  result: CrawlArchiveResult;
  /** Highest RSS sampled during the crawl. */
  peakRssBytes: number;
  /** VmHWM: the highest RSS of the worker's life, start-up (workflow bundling) included. */
  lifetimePeakRssBytes: number;
  /** CPU seconds per process during the crawl. */
  cpu: Record<string, number>;
}

export async function runTemporalCrawl(
  client: Client,
  worker: WorkerProcess,
  settings: SourceSettings,
  timeoutMs: number,
  pids: Record<string, number | undefined> = {},
  windowDays?: number,
  mailboxTuning: MailboxTuning = {},
): Promise<TemporalCrawlResult> {
  const rss = sampleRss(worker.child.pid);
  const cpu = cpuMeter({ worker: worker.child.pid, ...pids });
  const started = Date.now();
  const input: CrawlArchiveInput = {
    settings,
    tuning: { mailboxTuning: { ...mailboxTuning, ...(windowDays ? { windowDays } : {}) } },
  };
  const handle = await client.workflow.start('crawlArchive', {
    taskQueue: worker.taskQueue,
    workflowId: passWorkflowId(settings.sourceId),
    args: [input],
    workflowExecutionTimeout: timeoutMs,
  });
  try {
    const result = (await handle.result()) as CrawlArchiveResult;
    const seconds = (Date.now() - started) / 1000;
    const memory = rss.stop();
    return {
      seconds,
      result,
      peakRssBytes: memory.peakBytes,
      lifetimePeakRssBytes: memory.lifetimePeakBytes,
      cpu: cpu.stop(),
    };
  } finally {
    rss.stop();
  }
}
