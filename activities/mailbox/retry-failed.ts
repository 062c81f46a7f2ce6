// retryFailedItems: fetches again the messages recorded in `<prefix>-failed` that failed fewer than
// maxAttempts times, through the same pipeline as a page; a success clears the record, a new failure
// bumps its attempts (bounded retries). Resumes after a crash from its heartbeat (search_after cursor).
import { emptyCounters } from '../../common/message-counters';
import { type RetryFailedItemsInput, type RetryFailedItemsResult } from '../../common/activity-contracts';
import { indexNames, type FailedItemDocument } from '../../common/node/documents';
import type { ActivityDeps } from '../deps';
import { countFailedItems, listFailedItems } from '../elastic/failed-items';
import { queryLimiterFor } from '../elastic/query-limiter';
import { markingErrorEnd, setInFlight, stoppedIdsAfter, type InFlightDetails } from '../pipeline/in-flight';
import { INVALID_RECORD_KIND } from '../pipeline/invalid-records';
import type { MessageJob, ProcessContext } from '../pipeline/message-job';
import { writePage } from '../pipeline/page-write';
import { processContext } from '../pipeline/process-context';
import { processMessages } from '../pipeline/process-messages';

/** Recorded failures retried per activity call page (each needs its content fetched again). */
const RETRY_PAGE = 100;

interface RetryHeartbeat extends InFlightDetails {
  searchAfter?: (string | number)[];
}

/** The list record a failure was recorded with (its listed metadata; older records lack it). */
export function recordFromFailure(item: FailedItemDocument): MessageJob['record'] {
  const listed = item.listed;
  return {
    id: item.mimecastId,
    subject: listed?.subject ?? '',
    ...(listed?.from ? { from: listed.from } : {}),
    to: listed?.to ?? [],
    received: item.received ?? new Date(0).toISOString(),
    size: listed?.size ?? 0,
    attachmentCount: listed?.attachmentCount ?? 0,
    read: false,
    recalled: listed?.recalled ?? false,
    expired: listed?.expired ?? false,
  };
}

/** One attempt of retryFailedItems (see there). */
async function retryAttempt(
  deps: ActivityDeps,
  input: RetryFailedItemsInput,
  base: ReturnType<typeof processContext>,
  details: RetryHeartbeat,
  stoppedIds: Set<string>,
): Promise<RetryFailedItemsResult> {
  const { settings } = input;
  const { runtime } = base;
  const client = deps.mimecast
    .forSettings(settings)
    .withCallObserver({ onWait: () => runtime.heartbeat({ ...details }) }, runtime.cancellationSignal());
  const ctx: ProcessContext = { ...base, deps, settings, client };
  const counters = emptyCounters();
  const limiter = queryLimiterFor(settings.sourceId, settings.parallelism.folderQuery);
  const prefix = settings.index.prefix;
  let searchAfter = details.searchAfter;
  for (;;) {
    const page = await limiter.run(() =>
      listFailedItems(deps.elastic, {
        prefix,
        source: settings.sourceId,
        mailbox: ctx.mailbox,
        maxAttempts: input.maxAttempts,
        size: RETRY_PAGE,
        searchAfter,
      }),
    );
    // A record that failed validation has no metadata to index it by: it stays recorded until a
    // later listing (a reconcile pass) finds it valid, indexes it and clears the record.
    const jobs: MessageJob[] = page.items
      .filter((item) => item.kind !== INVALID_RECORD_KIND)
      .map((item) => ({ view: item.view, record: recordFromFailure(item) }));
    const processed = await processMessages(
      ctx,
      jobs,
      (_next, inFlightIds) => {
        setInFlight(details, inFlightIds);
        runtime.heartbeat({ ...details });
      },
      stoppedIds,
    );
    await writePage(ctx, processed.ops, processed.written, processed.counters, processed.outcomes);
    for (const k of Object.keys(processed.counters) as (keyof typeof counters)[])
      counters[k] += processed.counters[k];
    searchAfter = page.nextSearchAfter;
    details.searchAfter = searchAfter;
    runtime.heartbeat({ ...details, inFlightId: undefined, inFlightIds: [] });
    if (!searchAfter) break;
  }
  Object.assign(counters, client.scope?.counters ?? {});
  // Failures are written without refresh: make them countable before reporting what remains.
  await deps.elastic.indices.refresh({ index: indexNames(prefix).failed }).catch(() => undefined);
  const remaining = await countFailedItems(deps.elastic, {
    prefix,
    source: settings.sourceId,
    mailbox: ctx.mailbox,
  });
  return { counters, remaining };
}

/**
 * Fetches again the messages recorded in `<prefix>-failed` that failed fewer than maxAttempts
 * times; a success clears the record, a new failure bumps its attempts (bounded retries).
 */
export async function retryFailedItems(
  deps: ActivityDeps,
  input: RetryFailedItemsInput,
): Promise<RetryFailedItemsResult> {
  const { settings } = input;
  const base = processContext(deps, settings, input.address, input.domain, input.passId, input.mailboxKey);
  const { runtime } = base;
  const previous = runtime.lastHeartbeatDetails<RetryHeartbeat>();
  const stoppedIds = stoppedIdsAfter(previous);
  const details: RetryHeartbeat = { searchAfter: previous?.searchAfter, stoppedIds: [...stoppedIds] };
  return markingErrorEnd(
    runtime,
    () => details,
    () => retryAttempt(deps, input, base, details, stoppedIds),
  );
}
