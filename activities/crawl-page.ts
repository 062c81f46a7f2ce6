// The page activity (docs/architecture.md, Tokens and windows; Error scopes): list one page of a window →
// subject filter on the list record → expired/recalled policy → skip what the index already holds → content →
// extract → ONE bulk write (messages, attachments, failed-item records and clears, the window's watermark).
// Heartbeats {window, pageToken, nextIndex, inFlightId} after each message; a retry after a crash records the
// message that was in flight as failed and skips it.
import type { CrawlPageInput, CrawlPageResult, MessageCounters, TimeWindow } from '../common/contracts';
import { emptyCounters } from '../common/contracts';
import { indexNames } from '../common/node/documents';
import { MailboxError, classifyError, toApplicationFailure } from '../common/node/errors';
import type { SourceSettings } from '../common/settings';
import { activityRuntime } from './activity-runtime';
import type { ActivityDeps } from './deps';
import { BulkSink, type BulkOp } from './elastic/bulk-sink';
import { messageDocId } from './elastic/document-ids';
import { clearFailedItemOp, recordFailedItemOp } from './elastic/failed-items';
import { queryLimiterFor } from './elastic/query-limiter';
import { deleteMessagesWithAttachments } from './elastic/sweep';
import { watermarkOp } from './elastic/watermarks';
import { carriedMailboxKey } from './mailbox-filter';
import type { MimecastMessageRecord } from './mimecast/client';
import { MAX_PAGE_SIZE } from '../common/settings';
import { MimecastFunctionError } from './mimecast/errors';
import { buildMessageContent } from './message-content';
import type { MessageJob, ProcessContext } from './pipeline/message-job';

export type { MessageJob, ProcessContext } from './pipeline/message-job';

/** What a page heartbeats: enough to know, on a retry after a crash, which message was in flight. */
export interface PageHeartbeat {
  window: TimeWindow;
  pageToken?: string;
  nextIndex: number;
  inFlightId?: string;
  /** Messages earlier attempts of this page were processing when their worker stopped. */
  stoppedIds: string[];
}

export const WORKER_STOPPED_REASON = 'the worker stopped while processing it';

/** One message of a page and how it ended. */
type ItemOutcome = 'indexed' | 'failed';

export interface ProcessResult {
  ops: BulkOp[];
  counters: MessageCounters;
  outcomes: ItemOutcome[];
  /** Message document id → its job and outcome slot, to turn an index rejection into a failure record. */
  messageOps: Map<string, { job: MessageJob; outcomeIndex: number }>;
}

function sameSecond(a: string, b: string): boolean {
  const ma = Date.parse(normaliseDate(a));
  const mb = Date.parse(normaliseDate(b));
  return Math.floor(ma / 1000) === Math.floor(mb / 1000);
}

/** Mimecast dates (`+0000`) and ISO dates both parse after inserting the offset colon. */
function normaliseDate(s: string): string {
  return s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function isoOf(received: string): string {
  const ms = Date.parse(normaliseDate(received));
  return Number.isNaN(ms) ? received : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function compileAll(patterns: string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, 'i'));
}

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

/**
 * Fetches content and builds documents for each job in order, heartbeating before each, and
 * recording (not throwing) item failures. Page-level errors (throttled, transient, source) throw.
 */
export async function processMessages(
  ctx: ProcessContext,
  jobs: MessageJob[],
  heartbeat: (nextIndex: number, inFlightId?: string) => void,
  stoppedIds: Set<string>,
): Promise<ProcessResult> {
  const counters = emptyCounters();
  const ops: BulkOp[] = [];
  const outcomes: ItemOutcome[] = [];
  const messageOps = new Map<string, { job: MessageJob; outcomeIndex: number }>();
  const at = ctx.now().toISOString();
  const prefix = ctx.settings.index.prefix;
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    const key = {
      source: ctx.settings.sourceId,
      mailbox: ctx.mailbox,
      view: job.view,
      mimecastId: job.record.id,
    };
    const failure = (reason: string, kind: string) => {
      ops.push(
        recordFailedItemOp(prefix, { ...key, received: isoOf(job.record.received), reason, kind }, at),
      );
      counters.failed += 1;
      outcomes.push('failed');
    };
    if (stoppedIds.has(job.record.id)) {
      failure(WORKER_STOPPED_REASON, 'worker-stopped');
      continue;
    }
    heartbeat(i, job.record.id);
    try {
      const content = await buildMessageContent(ctx, job);
      const docId = messageDocId(key);
      ops.push({ action: 'index', index: indexNames(prefix).messages, id: docId, doc: content.message });
      for (const attachment of content.attachments) {
        ops.push({
          action: 'index',
          index: indexNames(prefix).attachments,
          id: attachment.id,
          doc: attachment.doc,
        });
      }
      messageOps.set(docId, { job, outcomeIndex: outcomes.length });
      counters.indexed += 1;
      counters.attachmentsIndexed += content.attachments.length;
      counters.attachmentsSkipped += content.attachmentsSkipped;
      counters.contentBytes += content.contentBytes;
      if (content.problem) {
        // Indexed, but not completely (oversize, unreadable parts): recorded so it is visible and retried.
        if (content.oversize) counters.oversize += 1;
        ops.push(
          recordFailedItemOp(
            prefix,
            { ...key, received: isoOf(job.record.received), ...content.problem },
            at,
          ),
        );
      } else {
        ops.push(clearFailedItemOp(prefix, key));
      }
      outcomes.push('indexed');
    } catch (err) {
      const c = classifyError(err);
      if (c.kind !== 'item') throw toApplicationFailure(err);
      failure(c.message, 'item');
    }
  }
  heartbeat(jobs.length, undefined);
  return { ops, counters, outcomes, messageOps };
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

/**
 * Writes the ops; documents Elasticsearch rejected become failure records (a second, small write).
 * Throws when a failure record or the watermark itself could not be written: the page is retried.
 */
export async function writePage(
  ctx: ProcessContext,
  ops: BulkOp[],
  messageOps: ProcessResult['messageOps'],
  counters: MessageCounters,
  outcomes: ItemOutcome[],
): Promise<void> {
  const prefix = ctx.settings.index.prefix;
  const sink = new BulkSink(ctx.deps.elastic, { onThrottled: () => ctx.runtime.heartbeat() });
  const { failed } = await sink.write(ops);
  if (!failed.length) return;
  const at = ctx.now().toISOString();
  const followUp: BulkOp[] = [];
  const unrecoverable: string[] = [];
  for (const item of failed) {
    const entry = item.index === indexNames(prefix).messages ? messageOps.get(item.id) : undefined;
    if (entry) {
      const { job, outcomeIndex } = entry;
      const key = {
        source: ctx.settings.sourceId,
        mailbox: ctx.mailbox,
        view: job.view,
        mimecastId: job.record.id,
      };
      followUp.push(
        recordFailedItemOp(
          prefix,
          {
            ...key,
            received: isoOf(job.record.received),
            reason: `Elasticsearch rejected the document: ${item.reason}`,
            kind: 'index-rejected',
          },
          at,
        ),
      );
      counters.indexed -= 1;
      counters.failed += 1;
      outcomes[outcomeIndex] = 'failed';
    } else if (item.index !== indexNames(prefix).attachments) {
      unrecoverable.push(`${item.index}/${item.id}: ${item.reason}`);
    }
  }
  if (unrecoverable.length) {
    // Failure records or the watermark were not written: retrying the page is the only safe move.
    throw toApplicationFailure(
      new Error(`bulk write failed for ${unrecoverable.length} operations: ${unrecoverable[0]}`),
    );
  }
  const second = await sink.write(followUp);
  if (second.failed.length) {
    throw toApplicationFailure(new Error(`could not record failed items: ${second.failed[0]!.reason}`));
  }
}

export async function crawlPage(deps: ActivityDeps, input: CrawlPageInput): Promise<CrawlPageResult> {
  const { settings, view, window } = input;
  const base = processContext(deps, settings, input.address, input.domain, input.passId, input.mailboxKey);
  const { runtime } = base;
  const previous = runtime.lastHeartbeatDetails<PageHeartbeat>();
  const stoppedIds = new Set<string>(previous?.stoppedIds ?? []);
  if (previous?.inFlightId) stoppedIds.add(previous.inFlightId);
  const details: PageHeartbeat = {
    window,
    pageToken: input.pageToken,
    nextIndex: 0,
    stoppedIds: [...stoppedIds],
  };
  const heartbeat = (nextIndex: number, inFlightId?: string) => {
    details.nextIndex = nextIndex;
    details.inFlightId = inFlightId;
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
  let page: { records: MimecastMessageRecord[]; nextPageToken?: string };
  try {
    page = await client.listMessagesPage({
      mailbox: input.address,
      view,
      start: window.start,
      end: window.end,
      pageSize: settings.performance.pageSize,
      pageToken: input.pageToken,
    });
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
      throw toApplicationFailure(
        new MailboxError(`listing ${view} ${window.start}..${window.end} failed: ${err.message}`),
      );
    }
    throw toApplicationFailure(err);
  }

  // Boundary second: an offset token over a non-unique, unstably ordered key could skip records
  // of the second shared by the previous page's last record and this page's first.
  const records = [...page.records];
  const boundaryOverflowSeconds: string[] = [];
  const first = records[0];
  if (first && input.previousLastReceived && sameSecond(first.received, input.previousLastReceived)) {
    const second = isoOf(first.received);
    let extra: { records: MimecastMessageRecord[]; nextPageToken?: string };
    try {
      extra = await client.listMessagesPage({
        mailbox: input.address,
        view,
        start: second,
        end: second,
        pageSize: MAX_PAGE_SIZE,
      });
    } catch (err) {
      throw toApplicationFailure(err);
    }
    if (extra.nextPageToken) boundaryOverflowSeconds.push(second);
    const seen = new Set(records.map((r) => r.id));
    for (const r of extra.records) if (!seen.has(r.id)) records.push(r);
  }
  counters.listed = records.length;

  const prefix = settings.index.prefix;
  const excludedSubjects = compileAll(settings.messages.excludedSubjects);
  const startMs = Date.parse(settings.messages.startDate);
  const endMs = settings.messages.endDate ? Date.parse(settings.messages.endDate) : Infinity;
  const key = (r: MimecastMessageRecord) => ({
    source: settings.sourceId,
    mailbox: ctx.mailbox,
    view,
    mimecastId: r.id,
  });

  const ops: BulkOp[] = [];
  const toDelete: string[] = [];
  const candidates: MimecastMessageRecord[] = [];
  for (const r of records) {
    const receivedMs = Date.parse(normaliseDate(r.received));
    if (receivedMs < startMs || receivedMs > endMs) counters.skippedByDate += 1;
    else if (excludedSubjects.some((re) => re.test(r.subject))) counters.skippedBySubject += 1;
    else if ((r.expired || r.recalled) && settings.messages.expiredPolicy === 'delete')
      toDelete.push(messageDocId(key(r)));
    else candidates.push(r);
  }

  const limiter = queryLimiterFor(settings.sourceId, settings.parallelism.folderQuery);
  const existing = await limiter
    .run(() =>
      indexedMessageIds(deps.elastic, prefix, settings.sourceId, [
        ...candidates.map((r) => messageDocId(key(r))),
        ...toDelete,
      ]),
    )
    .catch((err: unknown) => {
      throw toApplicationFailure(err);
    });
  const jobs: MessageJob[] = [];
  for (const r of candidates) {
    const docId = messageDocId(key(r));
    if (existing.has(docId) && !input.refetchContent) {
      counters.skippedExisting += 1;
      // Reconcile marks what it saw, so the sweep removes only what the archive no longer lists.
      if (input.mode === 'reconcile') {
        ops.push({
          action: 'update',
          index: indexNames(prefix).messages,
          id: docId,
          doc: { lastSeenPass: input.passId },
        });
      }
    } else {
      jobs.push({ view, record: r });
    }
  }

  const processed = await processMessages(ctx, jobs, heartbeat, stoppedIds);
  ops.push(...processed.ops);
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
  try {
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
    await writePage(ctx, ops, processed.messageOps, processed.counters, processed.outcomes);
  } catch (err) {
    throw toApplicationFailure(err);
  }

  for (const k of Object.keys(processed.counters) as (keyof MessageCounters)[])
    counters[k] += processed.counters[k];
  deps.onProgress?.({ kind: 'page', address: input.address, counters });
  const last = page.records[page.records.length - 1];
  return result(outcome, {
    nextPageToken: page.nextPageToken,
    lastReceived: last ? isoOf(last.received) : undefined,
    trailingItemFailures: trailingFailures(processed.outcomes),
    boundaryOverflowSeconds,
  });
}
