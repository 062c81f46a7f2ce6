// The mailbox workflow's activities, each called with its Web UI summary (docs/operations.md, Web UI).
import type { MailboxTuning, View } from '../common/contracts';
import type { CrawlerActivities, CrawlPageInput } from '../common/activity-contracts';
import { ACTIVITY_OPTIONS, pageActivityOptions } from './activity-options';
import { pageSummary } from './mailbox-details';
import { summarizedActivity } from './summarized-activity';

type Input<K extends keyof CrawlerActivities> = Parameters<CrawlerActivities[K]>[0];

export function mailboxActivities(tuning: MailboxTuning | undefined) {
  const crawlPageAs = summarizedActivity('crawlPage', pageActivityOptions(tuning));
  const sweepAs = summarizedActivity('sweepUnseen', ACTIVITY_OPTIONS.sweepUnseen);
  return {
    loadWatermarks: summarizedActivity('loadWatermarks', ACTIVITY_OPTIONS.loadWatermarks)('load watermarks'),
    probeMailbox: summarizedActivity('probeMailbox', ACTIVITY_OPTIONS.probeMailbox)('probe mailbox'),
    retryFailedItems: summarizedActivity(
      'retryFailedItems',
      ACTIVITY_OPTIONS.retryFailedItems,
    )('retry failed messages'),
    /** "INBOX 2024-03-01…03-08 page 3". */
    crawlPage: (input: CrawlPageInput) =>
      crawlPageAs(pageSummary(input.view, input.window, input.pageIndex))(input),
    sweepUnseen: (input: Input<'sweepUnseen'> & { view: View }) => sweepAs(`sweep ${input.view}`)(input),
  };
}
