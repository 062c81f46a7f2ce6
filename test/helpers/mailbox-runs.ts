// Mailbox workflow tests against the real services: 45 days of the simulator's mail crawled in 30-day
// windows with short page retries, and hooks a test sets to act around the real crawlPage.
import type { CrawlPageInput, CrawlPageResult, CrawlerActivities } from '../../common/activity-contracts';
import type { SourceSettings } from '../../common/settings';
import type { WorkerHarness } from './worker-harness';

const DAY = 86_400_000;

/** Two page attempts 200 ms apart: a failing page fails its pass within a test's time. */
export const MAILBOX_TEST_TUNING = {
  windowDays: 30,
  pageRetry: { maximumAttempts: 2, initialIntervalMs: 200, maximumIntervalMs: 200 },
};

/** The harness's source from 45 days back, with these performance settings. */
export function mailboxSettings(h: WorkerHarness, performance: Record<string, number>): SourceSettings {
  return h.settings({ messages: { startDate: new Date(Date.now() - 45 * DAY).toISOString() }, performance });
}

export interface PageHooks {
  beforePage?: (input: CrawlPageInput) => void;
  afterPage?: (result: CrawlPageResult, input: CrawlPageInput) => void;
}

/** For WorkerHarness.start's wrapActivities: the real crawlPage between the hooks set at the time. */
export function withPageHooks(hooks: PageHooks): (real: CrawlerActivities) => CrawlerActivities {
  return (real) => ({
    ...real,
    async crawlPage(input) {
      hooks.beforePage?.(input);
      const result = await real.crawlPage(input);
      hooks.afterPage?.(result, input);
      return result;
    },
  });
}
