// The context every step of the pipeline shares for one mailbox activity: the activity runtime, the
// clock, and the mailbox key carried from the snapshot (computed for inputs of older builds).
import type { SourceSettings } from '../../common/settings';
import { activityRuntime } from '../activity-runtime';
import type { ActivityDeps } from '../deps';
import { carriedMailboxKey } from '../mailbox-filter';

export function processContext(
  deps: ActivityDeps,
  settings: SourceSettings,
  address: string,
  domain: string,
  passId: string,
  mailboxKey?: string,
) {
  const runtime = activityRuntime(deps.runtime);
  const now = deps.now ?? (() => new Date());
  return {
    runtime,
    now,
    mailbox: carriedMailboxKey({ address, mailboxKey }, settings, deps.addressHashKey),
    address,
    domain,
    passId,
  };
}
