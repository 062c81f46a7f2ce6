// The mailbox workflow's activities (docs/architecture.md, Tokens and windows; Modes of a pass): one file
// each — watermarks at pass start, the steady-state probe, one page, the bounded retry of recorded
// failures and the reconcile sweep. Errors leave through the one boundary (activities/error-boundary.ts).
import type { ActivityDeps } from '../deps';
import { crawlPage } from './crawl-page';
import { probeMailbox } from './probe';
import { retryFailedItems } from './retry-failed';
import { sweepUnseen } from './sweep';
import { loadWatermarks } from './watermarks';
import type {
  CrawlPageInput,
  LoadWatermarksInput,
  ProbeMailboxInput,
  RetryFailedItemsInput,
  SweepUnseenInput,
} from '../../common/activity-contracts';

export function createMailboxActivities(deps: ActivityDeps) {
  return {
    loadWatermarks: (input: LoadWatermarksInput) => loadWatermarks(deps, input),
    probeMailbox: (input: ProbeMailboxInput) => probeMailbox(deps, input),
    crawlPage: (input: CrawlPageInput) => crawlPage(deps, input),
    retryFailedItems: (input: RetryFailedItemsInput) => retryFailedItems(deps, input),
    sweepUnseen: (input: SweepUnseenInput) => sweepUnseen(deps, input),
  };
}
