// The mailbox workflow's activities (docs/architecture.md, Tokens and windows; Modes of a pass; Error
// scopes): watermarks at pass start, one page, the bounded retry of recorded failures, and the reconcile
// sweep.
import type {
  CrawlPageInput,
  CrawlPageResult,
  LoadWatermarksInput,
  LoadWatermarksResult,
  ProbeMailboxInput,
  ProbeMailboxResult,
  RetryFailedItemsInput,
  RetryFailedItemsResult,
  SweepUnseenInput,
  SweepUnseenResult,
} from '../common/contracts';
import { emptyCounters } from '../common/contracts';
import { indexNames, type FailedItemDocument } from '../common/node/documents';
import { toApplicationFailure } from '../common/node/errors';
import type { ActivityDeps } from './deps';
import {
  crawlPage,
  crawlPageWithoutContent,
  processContext,
  processMessages,
  writePage,
  type MessageJob,
  type ProcessContext,
} from './crawl-page';
import { countFailedItems, listFailedItems } from './elastic/failed-items';
import { markingErrorEnd, setInFlight, stoppedIdsAfter, type InFlightDetails } from './in-flight';
import { INVALID_RECORD_KIND } from './invalid-records';
import { queryLimiterFor } from './elastic/query-limiter';
import { overflowedSecondsOfView } from './elastic/overflow-guard';
import { sweepUnseenMessages } from './elastic/sweep';
import { readWatermarks } from './elastic/watermarks';
import { carriedMailboxKey } from './mailbox-filter';
import { toMs } from '../workflows/mailbox-windows';

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

export function createMailboxActivities(deps: ActivityDeps) {
  async function wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  /** One attempt of retryFailedItems (see there). */
  async function retryAttempt(
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
      const page = await limiter
        .run(() =>
          listFailedItems(deps.elastic, {
            prefix,
            source: settings.sourceId,
            mailbox: ctx.mailbox,
            maxAttempts: input.maxAttempts,
            size: RETRY_PAGE,
            searchAfter,
          }),
        )
        .catch((err: unknown) => {
          throw toApplicationFailure(err);
        });
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
      await writePage(ctx, processed.ops, processed.written, processed.counters, processed.outcomes).catch(
        (err: unknown) => {
          throw toApplicationFailure(err);
        },
      );
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
    const remaining = await wrap(() =>
      countFailedItems(deps.elastic, { prefix, source: settings.sourceId, mailbox: ctx.mailbox }),
    );
    return { counters, remaining };
  }

  return {
    async loadWatermarks(input: LoadWatermarksInput): Promise<LoadWatermarksResult> {
      const { settings } = input;
      const mailbox = carriedMailboxKey(input, settings, deps.addressHashKey);
      return wrap(async () => ({
        watermarks: await readWatermarks(deps.elastic, {
          prefix: settings.index.prefix,
          source: settings.sourceId,
          mailbox,
        }),
      }));
    },

    /**
     * The steady-state fast path (docs/architecture.md): reads the watermarks and lists the first
     * window of every view planned from the workflow's tokens. A view whose page needs no content
     * is finished here (watermark written); a view with something to fetch, or whose watermark is
     * older than the token (index restored), is left to the usual page-by-page crawl.
     */
    async probeMailbox(input: ProbeMailboxInput): Promise<ProbeMailboxResult> {
      const { settings } = input;
      const mailbox = carriedMailboxKey(input, settings, deps.addressHashKey);
      const watermarks = await wrap(() =>
        readWatermarks(deps.elastic, { prefix: settings.index.prefix, source: settings.sourceId, mailbox }),
      );
      const pages: ProbeMailboxResult['pages'] = {};
      await Promise.all(
        input.views.map(async ({ view, window, token }) => {
          const watermark = watermarks[view];
          if (!watermark || toMs(watermark) < toMs(token)) return;
          const page = await crawlPageWithoutContent(deps, {
            settings,
            address: input.address,
            mailboxKey: input.mailboxKey,
            domain: input.domain,
            view,
            passId: input.passId,
            mode: 'delta',
            refetchContent: false,
            window,
            pageIndex: 0,
            watermarkOnLastPage: true,
          });
          if (page && (page.outcome === 'windowComplete' || page.outcome === 'page')) pages[view] = page;
        }),
      );
      return { watermarks, pages };
    },

    crawlPage(input: CrawlPageInput): Promise<CrawlPageResult> {
      return crawlPage(deps, input);
    },

    /**
     * Fetches again the messages recorded in `<prefix>-failed` that failed fewer than maxAttempts
     * times; a success clears the record, a new failure bumps its attempts (bounded retries).
     */
    async retryFailedItems(input: RetryFailedItemsInput): Promise<RetryFailedItemsResult> {
      const { settings } = input;
      const base = processContext(
        deps,
        settings,
        input.address,
        input.domain,
        input.passId,
        input.mailboxKey,
      );
      const { runtime } = base;
      const previous = runtime.lastHeartbeatDetails<RetryHeartbeat>();
      const stoppedIds = stoppedIdsAfter(previous);
      const details: RetryHeartbeat = { searchAfter: previous?.searchAfter, stoppedIds: [...stoppedIds] };
      return markingErrorEnd(
        runtime,
        () => details,
        () => retryAttempt(input, base, details, stoppedIds),
      );
    },
    /** Reconcile: removes the view's documents the pass did not see (only after every window completed). */
    async sweepUnseen(input: SweepUnseenInput): Promise<SweepUnseenResult> {
      const { settings } = input;
      const runtime = processContext(deps, settings, input.address, '', input.passId).runtime;
      const mailbox = carriedMailboxKey(input, settings, deps.addressHashKey);
      const prefix = settings.index.prefix;
      return wrap(async () => {
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
      });
    },
  };
}
