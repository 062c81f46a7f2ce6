// The state and decisions of one mailbox workflow (tokens, request queue, the cursor of the pass in
// progress, counters, error budget), as a plain class tested without Temporal. The workflow file
// only wires signals, activities and continue-as-new around it (samples-typescript
// message-passing/safe-message-handlers).
import type {
  CrawlRequest,
  MailboxProgress,
  MailboxReport,
  PassMode,
  RestartMailboxInput,
  View,
} from '../common/contracts';
import type { CrawlPageResult, ProbedView, RetryFailedItemsResult } from '../common/activity-contracts';
import { passModeFor, VIEWS } from '../common/contracts';
import { addCounters, emptyCounters } from '../common/message-counters';
import type { ErrorKind, MailboxCarriedState, SteadyCoverage } from '../common/contracts';
import type { SourceSettings } from '../common/settings';
import {
  type MailboxState,
  type PassCursor,
  type ViewCursor,
  migrateMailboxState,
  toCarriedState,
} from './mailbox-state-migration';
import { DEFAULT_WINDOW_DAYS, isoSecond } from './mailbox-windows';
import { budgetViolation, countItems } from './mailbox-error-budget';
import { droppedReport, mailboxProgress, passReport } from './mailbox-reports';
import type { MailboxIdentity, MailboxStep } from './mailbox-step';
import { advanceCursor, pageStepOf, planViewCursor } from './view-cursor';
import { queueRestart, validateRestart } from './mailbox-restart';
import { invariantFailure } from './workflow-failures';

// Changing a constant below that shapes the command sequence (the upsert cadence) changes what a replay of
// a running mailbox expects: put the new value behind patched() (docs/architecture.md, Versioning).
/** Search attributes are upserted at most every this many pages (docs/architecture.md, Search attributes). */
export const PAGES_PER_SEARCH_ATTRIBUTE_UPSERT = 5;
/** How many finished pass ids are remembered to drop a repeated request. */
const RECENT_PASS_IDS = 50;

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
    validateRestart(this.state, this.stopRequested, input);
  }

  /** A restart (restart-mailbox, retry-failed) queues a new pass of this mailbox (see mailbox-restart.ts). */
  restart(input: RestartMailboxInput, settings: SourceSettings | undefined, nowMs: number) {
    return queueRestart(this.state, input, settings, nowMs);
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
        const coverage = this.state.coverage[view] ?? {};
        const cursor = planViewCursor(
          view,
          mode,
          settings,
          nowMs,
          watermarks[view],
          coverage,
          this.windowDays,
        );
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
      if (cursor.windowIndex < cursor.windows.length) return pageStepOf(cursor);
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

  /** The same for a page of `view` crawled beside the current view's (workflows/parallel-views.ts). */
  applyPageOf(view: View, result: CrawlPageResult): void {
    const cursor = this.requirePass().views.find((c) => c.view === view);
    if (!cursor) throw invariantFailure(`no cursor of view ${view}`);
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
    countItems(pass, result);

    const failure = advanceCursor(pass, cursor, result, () => (this.state.coverage[cursor.view] ??= {}));
    if (failure) this.failPass(failure, 'mailbox');
    const exceeded = pass.outcome ? undefined : budgetViolation(pass);
    if (exceeded) this.failPass(exceeded, 'mailbox');
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
    const report = passReport(this.identity, pass, outcome, this.steadyCoverage(outcome));
    this.state.status = outcome.status;
    this.state.lastError = outcome.status === 'Completed' ? undefined : outcome.error;
    this.state.lastPassAt = isoSecond(nowMs);
    this.state.recentPassIds = [...this.state.recentPassIds, pass.request.passId].slice(-RECENT_PASS_IDS);
    this.state.pass = undefined;
    return { report, replyTo: pass.request.replyTo };
  }

  /** The coverage the next pass's idle screen may trust: a completed pass, nothing outstanding, every view tokened. */
  private steadyCoverage(outcome: { status: string }): SteadyCoverage | undefined {
    if (outcome.status !== 'Completed' || this.state.failedOutstanding > 0) return undefined;
    const steady: SteadyCoverage = {};
    for (const view of VIEWS) {
      const coverage = this.state.coverage[view];
      if (!coverage?.token) return undefined;
      steady[view] = {
        token: coverage.token,
        ...(coverage.coveredFrom ? { coveredFrom: coverage.coveredFrom } : {}),
      };
    }
    return steady;
  }

  /** Report for a request dropped by cancel or stop before it ran. */
  droppedReport(request: CrawlRequest, reason: string): MailboxReport {
    return droppedReport(this.identity, request, reason);
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
    return mailboxProgress(this.identity, this.state, this.currentView());
  }
}
