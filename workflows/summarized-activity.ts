// An activity called with a one-line summary for the Web UI (ActivityOptions.summary). The summary is user
// metadata, not part of the replay check, so it may change per call and between releases.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { CrawlerActivities } from '../common/activity-contracts';

/** `summarizedActivity('crawlPage', options)('INBOX … page 3')(input)`. */
export function summarizedActivity<K extends keyof CrawlerActivities>(
  name: K,
  options: ActivityOptions,
): (summary: string) => CrawlerActivities[K] {
  return (summary) => proxyActivities<CrawlerActivities>({ ...options, summary })[name];
}
