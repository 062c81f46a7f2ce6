// The state and decisions of one mailbox workflow (tokens, request queue, the cursor of the pass in
// progress, counters, error budget), as a plain class tested without Temporal. The workflow file
// only wires signals, activities and continue-as-new around it (samples-typescript
// message-passing/safe-message-handlers).
import type {
  CrawlRequest,
  ErrorKind,
  MailboxProgress,
  MailboxReport,
  PassMode,
  RestartMailboxInput,
  TimeWindow,
  View,
} from '../common/contracts';
import type { CrawlPageResult, ProbedView, RetryFailedItemsResult } from '../common/activity-contracts';
import { addCounters, emptyCounters, passModeFor, VIEWS } from '../common/contracts';
import type { SourceSettings } from '../common/settings';
import {
  type MailboxState,
  type PassCursor,
  type PassOutcome,
  type ViewCursor,
  migrateMailboxState,
  toCarriedState,
} from './mailbox-state-migration';
import type { MailboxCarriedState } from '../common/contracts';
import {
  DEFAULT_WINDOW_DAYS,
  effectiveToken,
  halveWindow,
  isoSecond,
  maxIso,
  missingEarlierRange,
  passRange,
  splitWindows,
  toMs,
} from './mailbox-windows';
import { invariantFailure } from './workflow-failures';

// Changing a constant below that shapes the command sequence (window growth and halving, the upsert
// cadence) changes what a replay of a running mailbox expects: put the new value behind patched()
// (docs/architecture.md, Versioning) and keep test/replay green.
/** More consecutive item failures than this fail the mailbox pass (docs/architecture.md, Error scopes). */
export const MAX_CONSECUTIVE_ITEM_FAILURES = 10;
/** A failure rate above this, over at least `BUDGET_MIN_ITEMS` items, fails the pass (same section). */
export const MAX_ITEM_FAILURE_RATE = 0.15;
export const BUDGET_MIN_ITEMS = 50;
/** A window whose page token keeps being rejected after this many restarts fails the pass. */
export const MAX_WINDOW_TOKEN_RESTARTS = 3;
/**
 * A window still paging after this many pages is halved (docs/architecture.md, Tokens and windows): its pages
 * are listed again (content is not: the index has it), but no window runs unbounded under expiring page
 * tokens.
 */
export const MAX_PAGES_PER_WINDOW = 200;
/** Up to this many sparse windows (of `windowDays`) are merged into one list request. */
export const MAX_WINDOW_GROWTH = 16;
/** How many finished pass ids are remembered to drop a repeated request. */
const RECENT_PASS_IDS = 50;
/** Search attributes are upserted at most every this many pages (docs/architecture.md, Search attributes). */
export const PAGES_PER_SEARCH_ATTRIBUTE_UPSERT = 5;

export interface MailboxIdentity {
  sourceId: string;
  address: string;
  mailboxKey: string;
  domain: string;
}

/** What the workflow does next. */
export type MailboxStep =
  | { kind: 'idle' }
  | { kind: 'retryFailed' }
  | {
      kind: 'page';
      view: View;
      window: TimeWindow;
      pageToken?: string;
      pageIndex: number;
      previousLastReceived?: string;
      /** The window's watermark rides on its last page (every window writes one). */
      watermarkOnLastPage: boolean;
    }
  | { kind: 'sweep'; view: View }
  | { kind: 'finish'; outcome: PassOutcome };

export class MailboxCrawlState {
  readonly state: MailboxState;

  constructor(
    readonly identity: MailboxIdentity,
    carried?: MailboxCarriedState,
    readonly windowDays: number = DEFAULT_WINDOW_DAYS,
  ) {
    this.state = migrateMailboxState(carried);
  }

  toCarried(): MailboxCarriedState {
    return toCarriedState(this.state);
  }

  /** Carried in the state, so a stop that arrives while the run continues-as-new still closes the workflow. */
  get stopRequested(): boolean {
    return this.state.stopReason !== undefined;
  }

  get stopReason(): string | undefined {
    return this.state.stopReason;
  }

  get pass(): PassCursor | undefined {
    return this.state.pass;
  }

  // --- requests ------------------------------------------------------------------------------

  /** Queues a request unless that pass is already running, queued or recently finished. */
  enqueue(request: CrawlRequest): boolean {
    if (this.knowsPass(request.passId)) return false;
    this.state.queue.push(request);
    return true;
  }

  private knowsPass(passId: string): boolean {
    return (
      this.state.pass?.request.passId === passId ||
      this.state.queue.some((r) => r.passId === passId) ||
      this.state.recentPassIds.includes(passId)
    );
  }

  hasWork(): boolean {
    return this.state.pass !== undefined || this.state.queue.length > 0;
  }

  /** Throws (validator of restartMailboxUpdate) when a restart cannot be accepted. */
  validateRestart(input: RestartMailboxInput): void {
    if (this.stopRequested) throw new Error('the mailbox workflow is stopping');
    if (!input.settings && !this.state.lastRequest) {
      throw new Error('this mailbox has never been crawled: give the settings (--config)');
    }
    if (input.mode && !['delta', 'reconcile', 'retryFailed'].includes(input.mode)) {
      throw new Error(`unknown mode ${input.mode}`);
    }
  }

  /**
   * A restart (restart-mailbox, retry-failed) queues a new pass of this mailbox. It reports to
   * the last request's pass under that pass's id by default, so a still-running pass moves the
   * mailbox from failed to done; with another replyTo it gets its own id.
   */
  restart(input: RestartMailboxInput, settings: SourceSettings | undefined, nowMs: number) {
    const last = this.state.lastRequest;
    const replyTo = input.replyTo ?? last?.replyTo ?? '';
    const sameReceiver = last !== undefined && replyTo === last.replyTo;
    let passId = sameReceiver ? last.passId : `restart-${nowMs}`;
    if (this.state.pass?.request.passId === passId || this.state.queue.some((r) => r.passId === passId)) {
      passId = `restart-${nowMs}`;
    }
    const request: CrawlRequest = {
      passId,
      replyTo,
      mode: input.mode ?? 'delta',
      refetchContent: input.refetchContent ?? false,
      settings: (settings ?? last?.settings) as SourceSettings,
    };
    const queuedBehind = this.state.queue.length + (this.state.pass ? 1 : 0);
    this.state.recentPassIds = this.state.recentPassIds.filter((id) => id !== passId);
    this.state.queue.push(request);
    return { passId, queuedBehind };
  }

  // --- pause, cancel, stop -------------------------------------------------------------------

  private concernsCurrent(passId: string | undefined): boolean {
    return passId === undefined || this.state.pass?.request.passId === passId;
  }

  pause(passId?: string): void {
    if (
      passId === undefined ||
      this.concernsCurrent(passId) ||
      this.state.queue.some((r) => r.passId === passId)
    ) {
      this.state.paused = true;
    }
  }

  resume(passId?: string): void {
    if (
      passId === undefined ||
      this.concernsCurrent(passId) ||
      this.state.queue.some((r) => r.passId === passId)
    ) {
      this.state.paused = false;
    }
  }

  /** Cancels the pass in progress (after its current page) and drops queued requests of that pass. */
  cancel(passId: string | undefined, reason: string | undefined): CrawlRequest[] {
    const dropped =
      passId === undefined ? this.state.queue : this.state.queue.filter((r) => r.passId === passId);
    this.state.queue = this.state.queue.filter((r) => !dropped.includes(r));
    const pass = this.state.pass;
    if (pass && !pass.outcome && this.concernsCurrent(passId)) {
      pass.outcome = { status: 'Cancelled', error: reason ?? 'cancelled' };
    }
    this.state.paused = false;
    return dropped;
  }

  /** Stop: finish the current page, drop the queue, then the workflow closes. */
  stop(reason: string): CrawlRequest[] {
    this.state.stopReason = reason;
    return this.cancel(undefined, `mailbox stopped: ${reason}`);
  }

  // --- passes --------------------------------------------------------------------------------

  /** Takes the next request off the queue; the caller then loads watermarks and calls beginPass. */
  peekRequest(): CrawlRequest | undefined {
    return this.state.queue[0];
  }

  /**
   * Starts the next queued pass. Windows of every view are computed now and fixed for the whole pass
   * (docs/architecture.md, Tokens and windows): `now` is the workflow time, `watermarks` the `<prefix>-state`
   * documents.
   */
  beginPass(
    nowMs: number,
    watermarks: Partial<Record<View, string>>,
    options: { adaptiveWindows?: boolean } = {},
  ): PassCursor {
    const request = this.state.queue.shift();
    if (!request) throw invariantFailure('no queued request');
    const settings = request.settings;
    const mode: PassMode = passModeFor(request.mode, settings);
    const views: ViewCursor[] = [];
    if (mode !== 'retryFailed') {
      for (const view of VIEWS) {
        const cursor = this.planView(view, mode, settings, nowMs, watermarks[view]);
        if (options.adaptiveWindows) cursor.growth = 1;
        views.push(cursor);
      }
    }
    const pass: PassCursor = {
      request,
      mode,
      startedAt: isoSecond(nowMs),
      views,
      viewIndex: 0,
      retryDone: mode !== 'retryFailed' && this.state.failedOutstanding <= 0,
      sweepsDone: [],
      viewsCompleted: [],
      counters: emptyCounters(),
      consecutiveItemFailures: 0,
      items: 0,
      pagesDone: 0,
      boundaryOverflowSeconds: [],
    };
    this.state.pass = pass;
    this.state.lastRequest = request;
    this.state.status = 'Running';
    // A pause that arrived while this request was queued still holds (resume or cancel lifts it).
    return pass;
  }

  private planView(
    view: View,
    mode: PassMode,
    settings: SourceSettings,
    nowMs: number,
    watermark: string | undefined,
  ): ViewCursor {
    const { startDate, endDate } = settings.messages;
    const coverage = this.state.coverage[view] ?? {};
    const token = mode === 'delta' ? effectiveToken(coverage.token, watermark) : undefined;
    const range = passRange({
      startDate,
      endDate,
      token,
      deltaTokenOffsetMinutes: settings.performance.deltaTokenOffsetMinutes,
      nowMs,
    });
    const windows: TimeWindow[] = [];
    let coverageFrom: string | undefined;
    if (token) {
      // An earlier startDate than the view has covered: the missing range comes first (oldest first).
      const missing = missingEarlierRange(startDate, coverage.coveredFrom);
      if (missing) {
        windows.push(...splitWindows(missing, this.windowDays));
        coverageFrom = missing.start;
      }
    } else {
      coverageFrom = range?.start;
    }
    if (range) windows.push(...splitWindows(range, this.windowDays));
    return { view, windows, windowIndex: 0, coverageFrom, pageIndex: 0, tokenRestarts: 0 };
  }

  private currentView(): ViewCursor | undefined {
    const pass = this.state.pass;
    if (!pass) return undefined;
    return pass.views[pass.viewIndex];
  }

  nextStep(): MailboxStep {
    const pass = this.state.pass;
    if (!pass) return { kind: 'idle' };
    if (pass.outcome) return { kind: 'finish', outcome: pass.outcome };
    if (!pass.retryDone) return { kind: 'retryFailed' };
    while (pass.viewIndex < pass.views.length) {
      const cursor = pass.views[pass.viewIndex];
      if (cursor.windowIndex < cursor.windows.length) {
        return {
          kind: 'page',
          view: cursor.view,
          window: cursor.windows[cursor.windowIndex],
          pageToken: cursor.pageToken,
          pageIndex: cursor.pageIndex,
          previousLastReceived: cursor.previousLastReceived,
          watermarkOnLastPage: true,
        };
      }
      if (pass.mode === 'reconcile' && !pass.sweepsDone.includes(cursor.view)) {
        return { kind: 'sweep', view: cursor.view };
      }
      pass.viewIndex += 1;
    }
    pass.outcome = { status: 'Completed' };
    return { kind: 'finish', outcome: pass.outcome };
  }

  /** Applies one page's result: counters, error budget, and the window/page cursor. */
  applyPage(result: CrawlPageResult): void {
    const cursor = this.currentView();
    if (!cursor) throw invariantFailure('no window in progress');
    this.applyPageTo(cursor, result);
  }

  /**
   * Applies the first pages the steady-state probe crawled, each to its view when the pass's plan
   * starts with the very window that was probed (a lower watermark re-plans the view: not applied).
   */
  applyProbedPages(probed: ProbedView[], pages: Partial<Record<View, CrawlPageResult>>): void {
    const pass = this.requirePass();
    for (const cursor of pass.views) {
      const page = pages[cursor.view];
      const window = probed.find((p) => p.view === cursor.view)?.window;
      const first = cursor.windows[0];
      if (!page || !window || !first || cursor.windowIndex !== 0 || cursor.pageIndex !== 0) continue;
      if (first.start !== window.start || first.end !== window.end) continue;
      this.applyPageTo(cursor, page);
    }
  }

  private applyPageTo(cursor: ViewCursor, result: CrawlPageResult): void {
    const pass = this.requirePass();
    addCounters(pass.counters, result.counters);
    this.state.messagesIndexedTotal += result.counters.indexed;
    // Indexed-but-recorded items (oversize, unparseable, extraction problems) are outstanding too.
    // Results recorded before the counter existed lack it: replay sees the same decisions.
    this.state.failedOutstanding += result.counters.failed + (result.counters.incomplete ?? 0);
    pass.pagesDone += 1;
    for (const second of result.boundaryOverflowSeconds) {
      if (!pass.boundaryOverflowSeconds.includes(second) && pass.boundaryOverflowSeconds.length < 20) {
        pass.boundaryOverflowSeconds.push(second);
      }
    }
    this.countItems(result);

    switch (result.outcome) {
      case 'page': {
        cursor.pageToken = result.nextPageToken;
        cursor.pageIndex += 1;
        cursor.previousLastReceived = result.lastReceived ?? cursor.previousLastReceived;
        const halves =
          cursor.pageIndex >= MAX_PAGES_PER_WINDOW
            ? halveWindow(cursor.windows[cursor.windowIndex])
            : undefined;
        if (halves) {
          cursor.windows.splice(cursor.windowIndex, 1, ...halves);
          this.resetPageCursor(cursor);
        }
        break;
      }
      case 'windowComplete':
        this.completeWindow(pass, cursor);
        break;
      case 'pageTokenRejected':
        pass.counters.pageTokenRestarts += 1;
        cursor.tokenRestarts += 1;
        if (cursor.tokenRestarts > MAX_WINDOW_TOKEN_RESTARTS) {
          this.failPass(
            `the page token of window ${cursor.windows[cursor.windowIndex].start}..${cursor.windows[cursor.windowIndex].end} (${cursor.view}) was still rejected after ${MAX_WINDOW_TOKEN_RESTARTS} restarts`,
            'mailbox',
          );
        }
        this.resetPageCursor(cursor);
        break;
      case 'windowRejected': {
        const window = cursor.windows[cursor.windowIndex];
        const halves = halveWindow(window);
        if (!halves) {
          this.failPass(
            `the archive refused to list ${window.start}..${window.end} (${cursor.view}) even as one second${result.problem ? `: ${result.problem}` : ''}`,
            'mailbox',
          );
          break;
        }
        cursor.windows.splice(cursor.windowIndex, 1, ...halves);
        this.resetPageCursor(cursor);
        break;
      }
    }
    this.checkBudget(pass);
  }

  private countItems(result: CrawlPageResult): void {
    const pass = this.requirePass();
    const c = result.counters;
    const items = c.indexed + c.skippedExisting + c.failed;
    pass.items += items;
    // A page with any success resets the run of failures to the failures after its last success.
    if (items > c.failed) pass.consecutiveItemFailures = result.trailingItemFailures;
    else pass.consecutiveItemFailures += c.failed;
  }

  private checkBudget(pass: PassCursor): void {
    if (pass.outcome) return;
    if (pass.consecutiveItemFailures > MAX_CONSECUTIVE_ITEM_FAILURES) {
      this.failPass(
        `error budget exceeded: ${pass.consecutiveItemFailures} consecutive item failures (more than ${MAX_CONSECUTIVE_ITEM_FAILURES})`,
        'mailbox',
      );
      return;
    }
    const failed = pass.counters.failed;
    if (pass.items >= BUDGET_MIN_ITEMS && failed / pass.items > MAX_ITEM_FAILURE_RATE) {
      this.failPass(
        `error budget exceeded: ${failed} of ${pass.items} items failed (more than ${MAX_ITEM_FAILURE_RATE * 100} %)`,
        'mailbox',
      );
    }
  }

  private completeWindow(pass: PassCursor, cursor: ViewCursor): void {
    const window = cursor.windows[cursor.windowIndex];
    const pagesInWindow = cursor.pageIndex + 1;
    const coverage = (this.state.coverage[cursor.view] ??= {});
    // The token only moves forward: a window of an earlier missing range must not lower it.
    coverage.token = coverage.token ? maxIso(coverage.token, window.end) : window.end;
    if (cursor.coverageFrom && toMs(window.start) <= toMs(cursor.coverageFrom)) {
      coverage.coveredFrom =
        coverage.coveredFrom && toMs(coverage.coveredFrom) < toMs(cursor.coverageFrom)
          ? coverage.coveredFrom
          : cursor.coverageFrom;
    }
    cursor.windowIndex += 1;
    cursor.tokenRestarts = 0;
    this.resetPageCursor(cursor);
    if (cursor.growth !== undefined) this.adaptNextWindow(cursor, pagesInWindow);
    if (cursor.windowIndex >= cursor.windows.length && !pass.viewsCompleted.includes(cursor.view)) {
      pass.viewsCompleted.push(cursor.view);
    }
  }

  /**
   * Sparse windows cost one list call each whatever they hold, so after a window that fit in one page
   * the next not-yet-started windows are merged (doubling up to MAX_WINDOW_GROWTH); a window that
   * needed several pages resets the growth. Only contiguous windows merge, and a window's bounds are
   * fixed once its first page is listed (docs/architecture.md, Tokens and windows).
   */
  private adaptNextWindow(cursor: ViewCursor, pagesInWindow: number): void {
    const growth = cursor.growth ?? 1;
    cursor.growth =
      pagesInWindow <= 1 ? Math.min(growth * 2, MAX_WINDOW_GROWTH) : pagesInWindow > 3 ? 1 : growth;
    const first = cursor.windowIndex;
    let last = first;
    while (
      last + 1 < cursor.windows.length &&
      last + 1 - first < cursor.growth &&
      cursor.windows[last].end === cursor.windows[last + 1].start
    ) {
      last += 1;
    }
    if (last > first) {
      const merged = { start: cursor.windows[first].start, end: cursor.windows[last].end };
      cursor.windows.splice(first, last - first + 1, merged);
    }
  }

  private resetPageCursor(cursor: ViewCursor): void {
    cursor.pageToken = undefined;
    cursor.pageIndex = 0;
    cursor.previousLastReceived = undefined;
  }

  applySweep(view: View, deleted: number): void {
    const pass = this.requirePass();
    pass.counters.deleted += deleted;
    pass.sweepsDone.push(view);
  }

  applyRetry(result: RetryFailedItemsResult): void {
    const pass = this.requirePass();
    addCounters(pass.counters, result.counters);
    this.state.messagesIndexedTotal += result.counters.indexed;
    this.state.failedOutstanding = result.remaining;
    pass.retryDone = true;
  }

  /** Mailbox- or source-level failure: the tokens of the last completed window stay as they are. */
  failPass(error: string, kind: ErrorKind): void {
    const pass = this.requirePass();
    if (pass.outcome) return;
    pass.outcome = { status: 'Failed', error, errorKind: kind };
  }

  /** Ends the pass and returns the report for its requester. */
  finishPass(nowMs: number): { report: MailboxReport; replyTo: string } {
    const pass = this.requirePass();
    const outcome = pass.outcome ?? { status: 'Completed' };
    const report: MailboxReport = {
      passId: pass.request.passId,
      address: this.identity.address,
      mailboxKey: this.identity.mailboxKey,
      status: outcome.status,
      counters: pass.counters,
      viewsCompleted: [...pass.viewsCompleted],
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.errorKind !== undefined ? { errorKind: outcome.errorKind } : {}),
      ...(pass.boundaryOverflowSeconds.length
        ? { boundaryOverflowSeconds: [...pass.boundaryOverflowSeconds] }
        : {}),
    };
    this.state.status = outcome.status;
    this.state.lastError = outcome.status === 'Completed' ? undefined : outcome.error;
    this.state.lastPassAt = isoSecond(nowMs);
    this.state.recentPassIds = [...this.state.recentPassIds, pass.request.passId].slice(-RECENT_PASS_IDS);
    this.state.pass = undefined;
    return { report, replyTo: pass.request.replyTo };
  }

  /** Report for a request dropped by cancel or stop before it ran. */
  droppedReport(request: CrawlRequest, reason: string): MailboxReport {
    return {
      passId: request.passId,
      address: this.identity.address,
      mailboxKey: this.identity.mailboxKey,
      status: 'Cancelled',
      counters: emptyCounters(),
      viewsCompleted: [],
      error: reason,
    };
  }

  shouldUpsertProgress(): boolean {
    const pass = this.state.pass;
    return (
      pass !== undefined && pass.pagesDone > 0 && pass.pagesDone % PAGES_PER_SEARCH_ATTRIBUTE_UPSERT === 0
    );
  }

  private requirePass(): PassCursor {
    if (!this.state.pass) throw invariantFailure('no pass in progress');
    return this.state.pass;
  }

  progress(): MailboxProgress {
    const pass = this.state.pass;
    const cursor = this.currentView();
    const tokens: Partial<Record<View, string>> = {};
    for (const view of VIEWS) {
      const token = this.state.coverage[view]?.token;
      if (token) tokens[view] = token;
    }
    const windowsTotal = pass ? pass.views.reduce((n, v) => n + v.windows.length, 0) : 0;
    const windowsDone = pass ? pass.views.reduce((n, v) => n + v.windowIndex, 0) : 0;
    return {
      address: this.identity.address,
      status: this.state.status,
      currentPassId: pass?.request.passId,
      mode: pass?.mode,
      view: cursor?.view,
      window: cursor ? cursor.windows[cursor.windowIndex] : undefined,
      windowsDone,
      windowsTotal,
      pagesDone: pass?.pagesDone ?? 0,
      tokens,
      queued: this.state.queue.length,
      paused: this.state.paused,
      counters: pass?.counters ?? emptyCounters(),
      messagesIndexedTotal: this.state.messagesIndexedTotal,
      lastError: this.state.lastError,
    };
  }
}
