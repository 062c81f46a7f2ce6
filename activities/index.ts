// createActivities(deps): every activity of the crawler, wired to injected dependencies, behind the
// one error boundary that turns whatever they throw into typed ApplicationFailures.
import type { CrawlerActivities } from '../common/activity-contracts';
import type { ActivityDeps } from './deps';
import { withErrorBoundary } from './error-boundary';
import { createMailboxActivities } from './mailbox/mailbox-activities';
import { createPassActivities } from './pass/pass-activities';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps): CrawlerActivities {
  return withErrorBoundary({ ...createPassActivities(deps), ...createMailboxActivities(deps) });
}
