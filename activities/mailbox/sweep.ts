// sweepUnseen: the reconcile sweep of one view (docs/architecture.md, Modes of a pass): removes the
// view's documents the pass did not see, only after every window completed and never in a second that
// held more records than one page (those are reported instead).
import { indexNames } from '../../common/node/documents';
import type { SweepUnseenInput, SweepUnseenResult } from '../../common/activity-contracts';
import type { ActivityDeps } from '../deps';
import { overflowedSecondsOfView } from '../elastic/overflow-guard';
import { queryLimiterFor } from '../elastic/query-limiter';
import { sweepUnseenMessages } from '../elastic/sweep';
import { carriedMailboxKey } from '../mailbox-filter';
import { processContext } from '../pipeline/process-context';

/** Reconcile: removes the view's documents the pass did not see (only after every window completed). */
export async function sweepUnseen(deps: ActivityDeps, input: SweepUnseenInput): Promise<SweepUnseenResult> {
  const { settings } = input;
  const runtime = processContext(deps, settings, input.address, '', input.passId).runtime;
  const mailbox = carriedMailboxKey(input, settings, deps.addressHashKey);
  const prefix = settings.index.prefix;
  // The pass's lastSeenPass updates must be searchable before "not seen" may mean "deleted":
  // an explicit refresh here is a correctness step, not a write-path refresh=true.
  await deps.elastic.indices.refresh({ index: indexNames(prefix).messages });
  const limiter = queryLimiterFor(settings.sourceId, settings.parallelism.folderQuery);
  const overflowed = await limiter.run(() =>
    overflowedSecondsOfView(deps.elastic, {
      prefix,
      source: settings.sourceId,
      mailbox,
      view: input.view,
      seconds: input.boundaryOverflowSeconds ?? [],
    }),
  );
  if (overflowed.length) return { deleted: 0, notSweptForOverflow: overflowed };
  const result = await limiter.run(() =>
    sweepUnseenMessages(
      deps.elastic,
      { prefix, source: settings.sourceId, mailbox, view: input.view, passId: input.passId },
      { heartbeat: (status) => runtime.heartbeat(status), signal: runtime.cancellationSignal() },
    ),
  );
  return { deleted: result.deleted };
}
