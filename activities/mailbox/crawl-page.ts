// The page activity (docs/architecture.md, Tokens and windows; Error scopes): list one page of a window →
// subject filter on the list record → expired/recalled policy → skip what the index already holds → content →
// extract → ONE bulk write (messages, attachments, failed-item records and clears, the window's watermark).
// Messages are processed performance.pageConcurrency at a time, applied in list order
// (activities/pipeline/process-messages.ts). Heartbeats {window, pageToken, nextIndex, inFlightIds} as messages
// start and end and on a timer between; a retry after a lost worker records the messages that were in flight as
// failed and skips them (activities/pipeline/in-flight.ts). A list record that fails validation is an item failure, recorded; the page goes on.
import type { TimeWindow } from '../../common/contracts';
import type { MessageCounters } from '../../common/message-counters';
import type { CrawlPageInput, CrawlPageResult } from '../../common/activity-contracts';
import { emptyCounters } from '../../common/message-counters';
import { indexNames } from '../../common/node/documents';
import { MailboxError } from '../../common/node/errors';
import type { ActivityDeps } from '../deps';
import type { BulkOp } from '../elastic/bulk-sink';
import { messageDocId } from '../elastic/document-ids';
import { queryLimiterFor } from '../elastic/query-limiter';
import { deleteMessagesWithAttachments } from '../elastic/sweep';
import { watermarkOp } from '../elastic/watermarks';
import { markingErrorEnd, setInFlight, stoppedIdsAfter, type InFlightDetails } from '../pipeline/in-flight';
import { invalidRecordId, invalidRecordOps } from '../pipeline/invalid-records';
import { keepAliveIntervalMs, withKeepAlive } from '../pipeline/keep-alive';
import { receivedIsoOf as isoOf, receivedMs, sameSecond } from '../pipeline/list-dates';
import type { MessageListPage, MimecastClient, MimecastMessageRecord } from '../mimecast/client';
import { MAX_PAGE_SIZE } from '../../common/settings';
import { MimecastFunctionError } from '../mimecast/errors';
import { writePage, type ItemOutcome } from '../pipeline/page-write';
import type { MessageJob, ProcessContext } from '../pipeline/message-job';
import { processContext } from '../pipeline/process-context';
import { processMessages } from '../pipeline/process-messages';

/** What a page heartbeats: enough to know, on a retry after a lost worker, which message was in flight. */
export interface PageHeartbeat extends InFlightDetails {
  window: TimeWindow;
  pageToken?: string;
  nextIndex: number;
}

function compileAll(patterns: string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, 'i'));
}

/**
 * Which message documents exist, by a realtime multi-get: the previous page's documents are seen
 * even before a refresh, so a boundary second listed twice never has its content fetched twice.
 */
async function indexedMessageIds(es: ActivityDeps['elastic'], prefix: string, source: string, ids: string[]) {
  if (!ids.length) return new Set<string>();
  const response = await es.mget<{ source: string }>({
    index: indexNames(prefix).messages,
    ids,
    _source_includes: ['source'],
    realtime: true,
  });
  const found = new Set<string>();
  for (const doc of response.docs) {
    if ('found' in doc && doc.found && doc._source?.source === source) found.add(doc._id);
  }
  return found;
}

/** Failures after the last success, in page order (the workflow's consecutive-failure budget). */
function trailingFailures(outcomes: ItemOutcome[]): number {
  let n = 0;
  for (let i = outcomes.length - 1; i >= 0; i--) {
    if (outcomes[i] !== 'failed') break;
    n += 1;
  }
  return n;
}

/** How much of the page runs: all of it, all of it only when no content is needed, or a read-only check. */
type PageMode = 'crawl' | 'withoutContent' | 'screen';

export function crawlPage(deps: ActivityDeps, input: CrawlPageInput): Promise<CrawlPageResult> {
  return crawlOnePage(deps, input, 'crawl') as Promise<CrawlPageResult>;
}

/**
 * The same page, but only when it needs no content call, no deletion and no failure record (the
 * steady-state probe): undefined, with nothing written, when any listed message needs one.
 */
export function crawlPageWithoutContent(
  deps: ActivityDeps,
  input: CrawlPageInput,
): Promise<CrawlPageResult | undefined> {
  return crawlOnePage(deps, input, 'withoutContent');
}

/**
 * True when the window is one page with nothing to do: every listed message is indexed (or filtered
 * out), none needs deletion or a failure record. Writes nothing (the pass's idle screen).
 */
export async function pageHasNothingNew(deps: ActivityDeps, input: CrawlPageInput): Promise<boolean> {
  return (await crawlOnePage(deps, input, 'screen')) !== undefined;
}

function crawlOnePage(
  deps: ActivityDeps,
  input: CrawlPageInput,
  mode: PageMode,
): Promise<CrawlPageResult | undefined> {
  const base = processContext(
    deps,
    input.settings,
    input.address,
    input.domain,
    input.passId,
    input.mailboxKey,
  );
  // The screen runs inside another activity: that activity's heartbeats are not a page's.
  const previous = mode === 'screen' ? undefined : base.runtime.lastHeartbeatDetails<PageHeartbeat>();
  const stoppedIds = stoppedIdsAfter(previous);
  const details: PageHeartbeat = {
    window: input.window,
    pageToken: input.pageToken,
    nextIndex: 0,
    stoppedIds: [...stoppedIds],
  };
  return markingErrorEnd(
    base.runtime,
    () => details,
    () => crawlPageAttempt(deps, input, base, details, stoppedIds, mode),
  );
}

/** Lists one page and the boundary second it shares with the previous page. */
async function listPage(
  client: MimecastClient,
  input: CrawlPageInput,
): Promise<MessageListPage & { boundaryOverflowSeconds: string[]; lastReceived?: string }> {
  const { view, window, settings } = input;
  const page = await client.listMessagesPage({
    mailbox: input.address,
    view,
    start: window.start,
    end: window.end,
    pageSize: settings.performance.pageSize,
    pageToken: input.pageToken,
  });
  // Boundary second: an offset token over a non-unique, unstably ordered key could skip records
  // of the second shared by the previous page's last record and this page's first.
  const records = [...page.records];
  const invalid = [...page.invalid];
  const boundaryOverflowSeconds: string[] = [];
  const first = records[0];
  if (first && input.previousLastReceived && sameSecond(first.received, input.previousLastReceived)) {
    const second = isoOf(first.received);
    const extra: MessageListPage = await client.listMessagesPage({
      mailbox: input.address,
      view,
      start: second,
      end: second,
      pageSize: MAX_PAGE_SIZE,
    });
    if (extra.nextPageToken) boundaryOverflowSeconds.push(second);
    const seen = new Set(records.map((r) => r.id));
    for (const r of extra.records) if (!seen.has(r.id)) records.push(r);
    const seenInvalid = new Set(invalid.map((r) => r.fingerprint));
    for (const r of extra.invalid) if (!seenInvalid.has(r.fingerprint)) invalid.push(r);
  }
  return {
    records,
    invalid,
    nextPageToken: page.nextPageToken,
    boundaryOverflowSeconds,
    lastReceived: lastReceivedOf(page),
  };
}

/** The `received` of the page's last record in list order (a valid one's if that one has none). */
function lastReceivedOf(page: MessageListPage): string | undefined {
  const lastPosition = page.records.length + page.invalid.length - 1;
  const lastInvalid = page.invalid.find((r) => r.position === lastPosition);
  const received = lastInvalid?.received ?? page.records[page.records.length - 1]?.received;
  return received ? isoOf(received) : undefined;
}

async function crawlPageAttempt(
  deps: ActivityDeps,
  input: CrawlPageInput,
  base: ReturnType<typeof processContext>,
  details: PageHeartbeat,
  stoppedIds: Set<string>,
  mode: PageMode,
): Promise<CrawlPageResult | undefined> {
  const { settings, view, window } = input;
  const { runtime } = base;
  const heartbeat = (nextIndex: number, inFlightIds: string[] = []) => {
    details.nextIndex = nextIndex;
    setInFlight(details, inFlightIds);
    runtime.heartbeat({ ...details });
  };

  const client = deps.mimecast
    .forSettings(settings)
    .withCallObserver({ onWait: () => runtime.heartbeat({ ...details }) }, runtime.cancellationSignal());
  const ctx: ProcessContext = { ...base, deps, settings, client };
  const counters = emptyCounters();
  const result = (
    outcome: CrawlPageResult['outcome'],
    extra: Partial<CrawlPageResult> = {},
  ): CrawlPageResult => {
    Object.assign(counters, client.scope?.counters ?? {});
    return { outcome, counters, trailingItemFailures: 0, boundaryOverflowSeconds: [], ...extra };
  };

  heartbeat(0);
  let page: Awaited<ReturnType<typeof listPage>>;
  try {
    page = await listPage(client, input);
  } catch (err) {
    // Any fail[] on a request with a page token counts as a rejected or expired token (docs/architecture.md,
    // Tokens and windows: the real code is undocumented); without a token, a validation failure narrows the
    // window.
    if (err instanceof MimecastFunctionError && input.pageToken)
      return result('pageTokenRejected', { problem: err.message });
    if (err instanceof MimecastFunctionError && !err.retryable) {
      if (err.codes.some((code) => code.startsWith('err_validation'))) {
        return result('windowRejected', { problem: err.message });
      }
      // Refused for another reason (e.g. forbidden for this address): no narrower window helps.
      throw new MailboxError(`listing ${view} ${window.start}..${window.end} failed: ${err.message}`);
    }
    throw err;
  }
  const { records, invalid, boundaryOverflowSeconds } = page;
  counters.listed = records.length + invalid.length;

  const prefix = settings.index.prefix;
  const excludedSubjects = compileAll(settings.messages.excludedSubjects);
  const startMs = Date.parse(settings.messages.startDate);
  const endMs = settings.messages.endDate ? Date.parse(settings.messages.endDate) : Infinity;
  const key = (mimecastId: string) => ({ source: settings.sourceId, mailbox: ctx.mailbox, view, mimecastId });

  const ops: BulkOp[] = invalidRecordOps(
    { prefix, source: settings.sourceId, mailbox: ctx.mailbox, view },
    invalid,
    ctx.now().toISOString(),
  );
  const toDelete: string[] = [];
  const candidates: MimecastMessageRecord[] = [];
  for (const r of records) {
    const ms = receivedMs(r.received);
    if (ms < startMs || ms > endMs) counters.skippedByDate += 1;
    else if (excludedSubjects.some((re) => re.test(r.subject))) counters.skippedBySubject += 1;
    else if ((r.expired || r.recalled) && settings.messages.expiredPolicy === 'delete')
      toDelete.push(messageDocId(key(r.id)));
    else candidates.push(r);
  }
  // Reconcile marks what the archive still lists, even where this pass fails to index it again
  // (a failed refetch, a record that fails validation): the sweep removes only what is gone.
  const listedIds = [
    ...candidates.map((r) => messageDocId(key(r.id))),
    ...invalid.map((r) => messageDocId(key(invalidRecordId(r)))),
  ];

  const limiter = queryLimiterFor(settings.sourceId, settings.parallelism.folderQuery);
  const existing = await limiter.run(() =>
    indexedMessageIds(deps.elastic, prefix, settings.sourceId, [...listedIds, ...toDelete]),
  );
  if (input.mode === 'reconcile') {
    for (const id of listedIds) {
      if (existing.has(id))
        ops.push({
          action: 'update',
          index: indexNames(prefix).messages,
          id,
          doc: { lastSeenPass: input.passId },
        });
    }
  }
  const jobs: MessageJob[] = [];
  for (const r of candidates) {
    if (existing.has(messageDocId(key(r.id))) && !input.refetchContent) counters.skippedExisting += 1;
    else jobs.push({ view, record: r });
  }

  if (mode !== 'crawl' && (jobs.length > 0 || invalid.length > 0 || toDelete.some((id) => existing.has(id))))
    return undefined;
  if (mode === 'screen') return page.nextPageToken ? undefined : result('windowComplete');
  const processed = await processMessages(ctx, jobs, heartbeat, stoppedIds);
  ops.push(...processed.ops);
  // Invalid records are item failures, in list order before the page's messages (error budget).
  processed.counters.failed += invalid.length;
  const outcomes: ItemOutcome[] = [...invalid.map((): ItemOutcome => 'failed'), ...processed.outcomes];
  for (const w of processed.written.messages.values()) w.outcomeIndex += invalid.length;
  const outcome = page.nextPageToken ? 'page' : 'windowComplete';
  if (outcome === 'windowComplete' && input.watermarkOnLastPage) {
    ops.push(
      watermarkOp(prefix, {
        source: settings.sourceId,
        mailbox: ctx.mailbox,
        view,
        watermark: window.end,
        passId: input.passId,
        at: ctx.now().toISOString(),
      }),
    );
  }
  // Expired or recalled under expiredPolicy=delete: removed if indexed, never fetched.
  const present = toDelete.filter((id) => existing.has(id));
  if (present.length) {
    const removed = await limiter.run(() =>
      deleteMessagesWithAttachments(
        deps.elastic,
        { prefix, source: settings.sourceId, messageDocIds: present },
        {
          heartbeat: () => runtime.heartbeat({ ...details }),
        },
      ),
    );
    counters.deleted += removed.messages;
  }
  await withKeepAlive(
    () => runtime.heartbeat({ ...details }),
    keepAliveIntervalMs(runtime.heartbeatTimeoutMs?.()),
    () => writePage(ctx, ops, processed.written, processed.counters, outcomes),
  );

  for (const k of Object.keys(processed.counters) as (keyof MessageCounters)[])
    counters[k] += processed.counters[k];
  deps.onProgress?.({ kind: 'page', address: input.address, counters });
  return result(outcome, {
    nextPageToken: page.nextPageToken,
    lastReceived: page.lastReceived,
    trailingItemFailures: trailingFailures(outcomes),
    boundaryOverflowSeconds,
  });
}
