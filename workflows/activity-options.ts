// THE one table of activity options (docs/architecture.md, Error scopes): timeouts, heartbeats and retry
// policies of every activity in CrawlerActivities. Retries back off to at most 60 s over about 10 attempts,
// so a page that keeps failing fails its mailbox within minutes; throttling is waited out inside activities.
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import type { MailboxTuning } from '../common/contracts';
import type { CrawlerActivities } from '../common/activity-contracts';
import { FailureTypes } from '../common/contracts';

/** Errors that no retry can fix: the scope above decides (mailbox or source failure). */
const NON_RETRYABLE = [FailureTypes.source, FailureTypes.mailbox];

function retry(maximumAttempts: number): RetryPolicy {
  return {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '60s',
    maximumAttempts,
    nonRetryableErrorTypes: NON_RETRYABLE,
  };
}

export const ACTIVITY_OPTIONS: Record<keyof CrawlerActivities, ActivityOptions> = {
  // Pass activities: directory and registry work, minutes at most.
  findRunningPasses: { startToCloseTimeout: '1 minute', retry: retry(10) },
  snapshotScope: { startToCloseTimeout: '30 minutes', heartbeatTimeout: '60s', retry: retry(10) },
  readRegistryPage: { startToCloseTimeout: '2 minutes', retry: retry(10) },
  describeMailboxes: { startToCloseTimeout: '2 minutes', retry: retry(10) },
  writePassReport: { startToCloseTimeout: '2 minutes', retry: retry(10) },
  updateRegistryStatus: { startToCloseTimeout: '1 minute', retry: retry(10) },
  recordMailboxOutcomes: { startToCloseTimeout: '2 minutes', retry: retry(10) },
  stopMailboxWorkflow: { startToCloseTimeout: '10 minutes', heartbeatTimeout: '30s', retry: retry(10) },
  deleteMailboxDocuments: { startToCloseTimeout: '60 minutes', heartbeatTimeout: '60s', retry: retry(10) },
  // Mailbox activities.
  loadWatermarks: { startToCloseTimeout: '1 minute', retry: retry(10) },
  // Watermarks + the first page of each view (list + existence check + watermark write, no content).
  probeMailbox: { startToCloseTimeout: '2 minutes', retry: retry(10) },
  // One page: list + content of ≤ 500 messages + one bulk request; heartbeats after each message.
  crawlPage: { startToCloseTimeout: '10 minutes', heartbeatTimeout: '30s', retry: retry(10) },
  retryFailedItems: { startToCloseTimeout: '30 minutes', heartbeatTimeout: '30s', retry: retry(10) },
  sweepUnseen: { startToCloseTimeout: '30 minutes', heartbeatTimeout: '60s', retry: retry(10) },
};

/** The crawlPage options with a test's or operator's retry overrides (CrawlMailboxInput.tuning). */
export function pageActivityOptions(tuning: MailboxTuning | undefined): ActivityOptions {
  const base = ACTIVITY_OPTIONS.crawlPage;
  const overrides = tuning?.pageRetry;
  if (!overrides) return base;
  return {
    ...base,
    retry: {
      ...base.retry,
      ...(overrides.maximumAttempts !== undefined ? { maximumAttempts: overrides.maximumAttempts } : {}),
      ...(overrides.initialIntervalMs !== undefined ? { initialInterval: overrides.initialIntervalMs } : {}),
      ...(overrides.maximumIntervalMs !== undefined ? { maximumInterval: overrides.maximumIntervalMs } : {}),
    },
  };
}
