// createActivities(deps): every activity of the crawler, wired to injected dependencies.
import type { CrawlerActivities } from '../common/contracts';
import type { ActivityDeps } from './deps';
import { createMailboxActivities } from './mailbox-activities';
import { createPassActivities } from './pass-activities';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps): CrawlerActivities {
  return { ...createPassActivities(deps), ...createMailboxActivities(deps) };
}
