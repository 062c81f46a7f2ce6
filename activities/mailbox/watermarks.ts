// loadWatermarks: the `<prefix>-state` watermarks of a mailbox's views at the start of its pass; the
// workflow takes the lower of each and its token (docs/architecture.md, Tokens and windows).
import type { LoadWatermarksInput, LoadWatermarksResult } from '../../common/activity-contracts';
import type { ActivityDeps } from '../deps';
import { readWatermarks } from '../elastic/watermarks';
import { carriedMailboxKey } from '../mailbox-filter';

export async function loadWatermarks(
  deps: ActivityDeps,
  input: LoadWatermarksInput,
): Promise<LoadWatermarksResult> {
  const { settings } = input;
  const mailbox = carriedMailboxKey(input, settings, deps.addressHashKey);
  return {
    watermarks: await readWatermarks(deps.elastic, {
      prefix: settings.index.prefix,
      source: settings.sourceId,
      mailbox,
    }),
  };
}
