// `crawl --config FILE [--wait] …`: starts one pass of a source; with --wait follows it with a live
// progress bar and exits with the status of docs/architecture.md, Commands and environment.
import { progressOfFailedPass } from '../pass-result';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  PASS_WORKFLOW_TASK_TIMEOUT,
  WorkflowTypes,
  passModeFor,
  passWorkflowId,
  type CrawlArchiveInput,
  type PassOptions,
  type PassProgress,
} from '../../common/contracts';
import { passProgressQuery } from '../../common/messages';
import { CrawlStatus, MimecastSource } from '../../common/search-attributes';
import { passWorkflowSummary } from '../../common/workflow-summaries';
import type { CliContext } from '../cli-context';
import { describeExitStatus, ExitStatus, passExitStatus } from '../exit-status';
import { passSummary } from '../progress-format';
import { createProgressDisplay } from '../progress-display';
import { loadSettingsFile } from '../settings-file';
import { workflowUrl } from '../web-ui';

export interface CrawlCommandOptions {
  config: string;
  wait?: boolean;
  ignoreDeltaTokens?: boolean;
  refetchContent?: boolean;
  confirmDeletions?: boolean;
  force?: boolean;
}

export interface CrawlOutcome {
  exitCode: number;
  workflowId?: string;
  progress?: PassProgress;
}

export async function crawlCommand(ctx: CrawlContext, opts: CrawlCommandOptions): Promise<CrawlOutcome> {
  const { io, env } = ctx;
  const settings = loadSettingsFile(opts.config);
  const options: PassOptions = {
    ignoreDeltaTokens: opts.ignoreDeltaTokens || undefined,
    refetchContent: opts.refetchContent || undefined,
    confirmDeletions: opts.confirmDeletions || undefined,
    force: opts.force || undefined,
  };
  const input: CrawlArchiveInput = { settings, options: JSON.parse(JSON.stringify(options)) as PassOptions };
  const workflowId = passWorkflowId(settings.sourceId);
  const client = await ctx.temporal();
  let handle: WorkflowHandleWithFirstExecutionRunId;
  try {
    handle = await client.workflow.start(WorkflowTypes.crawlArchive, {
      taskQueue: env.taskQueue,
      workflowId,
      args: [input],
      staticSummary: passWorkflowSummary(
        settings.sourceId,
        passModeFor('delta', settings, options.ignoreDeltaTokens),
      ),
      // A pass's workflow task replays a large history on a busy worker: 10 s is too tight.
      workflowTaskTimeout: PASS_WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: [
        { key: MimecastSource, value: settings.sourceId },
        { key: CrawlStatus, value: 'Enumerating' },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      io.err(`A pass of source ${settings.sourceId} is already running (workflow ${workflowId}).`);
      io.err(
        `Follow it with: status --source ${settings.sourceId}; stop it with: cancel --source ${settings.sourceId}`,
      );
      return { exitCode: ExitStatus.failedOrCancelled, workflowId };
    }
    throw err;
  }
  const mode = passModeFor('delta', settings, options.ignoreDeltaTokens);
  io.out(
    `Started ${mode} pass of source ${settings.sourceId}: workflow ${workflowId} (run ${handle.firstExecutionRunId})`,
  );
  io.out(`  Web UI: ${workflowUrl(env, workflowId)}`);
  if (!opts.wait) return { exitCode: ExitStatus.completed, workflowId };
  return waitForPass(ctx, handle);
}

/** Silence before the CLI suggests that no worker is polling the task queue. */
const NO_WORKER_HINT_MS = 15_000;
const QUERY_DEADLINE_MS = 5_000;

export type CrawlContext = Pick<CliContext, 'io' | 'env' | 'temporal' | 'pollIntervalMs'>;

/** Follows a running pass until it closes: progress from the query, the verdict from its result. */
export async function waitForPass(ctx: CrawlContext, handle: WorkflowHandle): Promise<CrawlOutcome> {
  const { io } = ctx;
  const client = await ctx.temporal();
  const display = createProgressDisplay(io);
  let finished: { progress?: PassProgress; error?: unknown } | undefined;
  const result = handle.result().then(
    (progress: PassProgress) => (finished = { progress }),
    (error: unknown) => (finished = { error }),
  );
  let lastProgress: PassProgress | undefined;
  const startedWaiting = Date.now();
  let hinted = false;
  while (!finished) {
    try {
      // A query waits for a worker; bound it so the loop keeps noticing the result.
      lastProgress = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        handle.query(passProgressQuery),
      );
      display.update(lastProgress);
    } catch {
      // No worker has run the first workflow task yet, or the run is continuing as new: try again.
      if (!lastProgress && !hinted && Date.now() - startedWaiting > NO_WORKER_HINT_MS) {
        hinted = true;
        io.err(
          `No answer yet: is a worker running on task queue "${ctx.env.taskQueue}"? (start one with: mimecast-crawler worker)`,
        );
      }
    }
    if (finished) break;
    await Promise.race([result, sleep(ctx.pollIntervalMs)]);
  }
  display.stop();
  if (finished.progress) {
    const progress = finished.progress;
    const exitCode = passExitStatus(progress);
    for (const line of passSummary(progress, new Date())) io.out(line);
    io.out(`Exit status ${exitCode}: ${describeExitStatus(exitCode)}`);
    return { exitCode, workflowId: handle.workflowId, progress };
  }
  const error = finished.error;
  // A source-level failure fails the workflow (schedules pause on it) and carries the progress.
  const failedProgress = progressOfFailedPass(error);
  if (failedProgress) {
    for (const line of passSummary(failedProgress, new Date())) io.out(line);
    const exitCode = passExitStatus(failedProgress);
    io.out(`Exit status ${exitCode}: ${describeExitStatus(exitCode)}`);
    return { exitCode, workflowId: handle.workflowId, progress: failedProgress };
  }
  const cause =
    error instanceof WorkflowFailedError ? (error.cause?.message ?? error.message) : String(error);
  if (lastProgress) for (const line of passSummary(lastProgress, new Date())) io.out(line);
  io.err(`Pass ${handle.workflowId} did not complete: ${cause}`);
  io.out(`Exit status ${ExitStatus.failedOrCancelled}: ${describeExitStatus(ExitStatus.failedOrCancelled)}`);
  return { exitCode: ExitStatus.failedOrCancelled, workflowId: handle.workflowId, progress: lastProgress };
}
