// The one table of activity options (docs/architecture.md, Error scopes): every activity has options, the
// page activity has the documented timeouts, and retries back off to at most 60 s over about 10 attempts.
import type { CrawlerActivities } from '../../common/activity-contracts';
import { DEFAULT_EXTRACTION_TIMEOUT_MS } from '../../activities/extract/extraction-pool';
import { ACTIVITY_OPTIONS, pageActivityOptions } from '../../workflows/activity-options';
import { msToNumber } from '@temporalio/common';

const everyActivity: Record<keyof CrawlerActivities, true> = {
  findRunningPasses: true,
  snapshotScope: true,
  readRegistryPage: true,
  describeMailboxes: true,
  writePassReport: true,
  loadWatermarks: true,
  crawlPage: true,
  probeMailbox: true,
  retryFailedItems: true,
  sweepUnseen: true,
  updateRegistryStatus: true,
  recordMailboxOutcomes: true,
  stopMailboxWorkflow: true,
  deleteMailboxDocuments: true,
};

it('has options for every activity, each with a start-to-close timeout and a capped, bounded retry', () => {
  expect(Object.keys(ACTIVITY_OPTIONS).sort()).toEqual(Object.keys(everyActivity).sort());
  for (const options of Object.values(ACTIVITY_OPTIONS)) {
    expect(options.startToCloseTimeout).toBeDefined();
    expect(options.retry?.maximumInterval).toBe('60s');
    expect(options.retry?.maximumAttempts).toBeGreaterThanOrEqual(5);
    expect(options.retry?.maximumAttempts).toBeLessThanOrEqual(12);
    expect(options.retry?.nonRetryableErrorTypes).toEqual(
      expect.arrayContaining(['SourceError', 'MailboxError']),
    );
  }
});

it('gives crawlPage 10 minutes, a 30 s heartbeat and about 10 attempts', () => {
  expect(ACTIVITY_OPTIONS.crawlPage).toMatchObject({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 10, maximumInterval: '60s' },
  });
});

it('applies tuning overrides to the page retry only', () => {
  const tuned = pageActivityOptions({ pageRetry: { maximumAttempts: 2, initialIntervalMs: 100 } });
  expect(tuned.retry).toMatchObject({ maximumAttempts: 2, initialInterval: 100, maximumInterval: '60s' });
  expect(tuned.heartbeatTimeout).toBe('30s');
  expect(pageActivityOptions(undefined)).toBe(ACTIVITY_OPTIONS.crawlPage);
  expect(ACTIVITY_OPTIONS.crawlPage.retry?.maximumAttempts).toBe(10);
});

it('keeps the heartbeat timeout of the activities that extract above the per-file extraction timeout', () => {
  for (const name of ['crawlPage', 'retryFailedItems'] as const) {
    const heartbeatMs = msToNumber(ACTIVITY_OPTIONS[name].heartbeatTimeout!);
    expect(heartbeatMs).toBeGreaterThan(DEFAULT_EXTRACTION_TIMEOUT_MS);
  }
});
