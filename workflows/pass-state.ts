// The state and decisions of one pass (crawlArchive), as a plain class unit-tested without Temporal:
// registry cursor, sliding window of in-flight mailboxes, counters, capped failed list. Its carried data is
// in pass-state-data.ts, the deletion guard in deletion-guard.ts.
import {
  type ErrorKind,
  type FailedMailbox,
  type MailboxReport,
  type PassMode,
  type PassProgress,
  type PassStatus,
} from '../common/contracts';
import { addCounters, emptyCounters } from '../common/message-counters';
import { type ReadRegistryPageResult, type SnapshotScopeResult } from '../common/activity-contracts';
import { decideDeletions } from './deletion-guard';
import {
  FAILED_KEYS_CAP,
  FAILED_MAILBOXES_CAP,
  PASS_STATE_VERSION,
  type InFlightMailbox,
  type PassStateData,
} from './pass-state-data';

export type { InFlightMailbox, PassStateData } from './pass-state-data';

export class PassState {
  constructor(public readonly data: PassStateData) {}

  static create(init: { passId: string; sourceId: string; mode: PassMode; startedAt: string }): PassState {
    return new PassState({
      version: PASS_STATE_VERSION,
      passId: init.passId,
      sourceId: init.sourceId,
      mode: init.mode,
      startedAt: init.startedAt,
      phase: 'start',
      status: 'Enumerating',
      paused: false,
      cancelRequested: false,
      cursor: { scope: 'inScope', exhausted: false },
      pending: [],
      inFlight: {},
      mailboxes: { dispatched: 0, completed: 0, failed: 0 },
      messages: emptyCounters(),
      failedMailboxes: [],
      failedKeys: [],
      failedMailboxesTotal: 0,
      deletions: { candidates: 0, performed: 0, withheld: 0, failed: 0, allowed: false },
    });
  }

  get inFlightCount(): number {
    return Object.keys(this.data.inFlight).length;
  }

  inFlightMailboxes(): InFlightMailbox[] {
    return Object.values(this.data.inFlight);
  }

  isInFlight(mailboxKey: string): boolean {
    return mailboxKey in this.data.inFlight;
  }

  /** Dispatching stops while paused, after a cancel and after a source error. */
  get stopped(): boolean {
    return this.data.cancelRequested || this.data.status === 'Failed';
  }

  // --- snapshot and the deletion guard

  recordSnapshot(result: SnapshotScopeResult, confirmDeletions: boolean): void {
    const d = this.data;
    d.snapshot = {
      complete: result.complete,
      total: result.total,
      inScope: result.inScope,
      outOfScope: result.outOfScope,
      previouslyKnown: result.previouslyKnown,
    };
    const known = Math.max(result.previouslyKnown, result.total);
    const decision = decideDeletions({
      complete: result.complete,
      candidates: result.outOfScope,
      known,
      confirmed: confirmDeletions,
    });
    d.deletions.candidates = result.outOfScope;
    d.deletions.allowed = decision.allowed;
    d.deletions.withheld = decision.allowed ? 0 : result.outOfScope;
    if (decision.reason) d.deletions.reason = decision.reason;
    d.phase = 'crawl';
    d.status = 'Crawling';
    d.cursor = { scope: 'inScope', exhausted: false };
  }

  // --- the registry cursor (one page at a time, so the state stays small)

  /** True when the window has room and no page is buffered: read the next registry page. */
  needsRegistryPage(window: number): boolean {
    const d = this.data;
    if (d.cursor.exhausted || d.pending.length > 0 || this.stopped || d.paused) return false;
    return this.inFlightCount < window;
  }

  addRegistryPage(page: ReadRegistryPageResult): void {
    const d = this.data;
    // A mailbox still in flight from an earlier page (or run) must not be dispatched twice.
    d.pending = page.mailboxes.filter((m) => !this.isInFlight(m.mailboxKey));
    if (page.idle && d.phase === 'crawl') {
      // Found with nothing new by the idle screen: done for this pass without being woken.
      d.mailboxes.completed += page.idle;
      d.mailboxes.idle = (d.mailboxes.idle ?? 0) + page.idle;
    }
    d.cursor = page.nextSearchAfter
      ? { scope: d.cursor.scope, searchAfter: page.nextSearchAfter, exhausted: false }
      : { scope: d.cursor.scope, searchAfter: undefined, exhausted: true };
  }

  /** Takes the next mailbox and marks it in flight BEFORE the caller dispatches it. */
  takeNext(window: number, now: string): InFlightMailbox | undefined {
    const d = this.data;
    if (this.stopped || d.paused || this.inFlightCount >= window) return undefined;
    const next = d.pending.shift();
    if (!next) return undefined;
    const entry: InFlightMailbox = { ...next, since: now };
    d.inFlight[next.mailboxKey] = entry;
    if (d.phase === 'crawl') d.mailboxes.dispatched++;
    return entry;
  }

  /** Every in-scope mailbox dispatched and reported (or dispatching stopped and the window drained). */
  crawlDone(): boolean {
    const d = this.data;
    if (this.inFlightCount > 0) return false;
    if (this.stopped) return true;
    return d.cursor.exhausted && d.pending.length === 0;
  }

  // --- reports from mailboxes

  /**
   * Applies a mailbox report; false when it belongs to another pass, or the mailbox is neither in
   * flight nor a failed one reporting again after restart-mailbox.
   */
  applyReport(report: MailboxReport): boolean {
    const d = this.data;
    if (report.passId !== d.passId) return false;
    if (!this.isInFlight(report.mailboxKey)) return this.applyRestartReport(report);
    delete d.inFlight[report.mailboxKey];
    addCounters(d.messages, report.counters);
    if (report.boundaryOverflowSeconds?.length) {
      d.boundaryOverflow ??= [];
      if (d.boundaryOverflow.length < FAILED_MAILBOXES_CAP)
        d.boundaryOverflow.push({ address: report.address, seconds: [...report.boundaryOverflowSeconds] });
    }
    if (report.status === 'Completed' || report.status === 'Cancelled') {
      d.mailboxes.completed++;
    } else {
      this.addFailure({
        address: report.address,
        mailboxKey: report.mailboxKey,
        reason: report.error ?? 'the mailbox pass failed',
        kind: report.errorKind ?? 'mailbox',
      });
    }
    return true;
  }

  /** A mailbox this pass recorded as failed reports again (restart-mailbox): done moves it from failed to completed. */
  private applyRestartReport(report: MailboxReport): boolean {
    const d = this.data;
    const key = report.mailboxKey;
    if (d.phase === 'done' || !d.failedKeys?.includes(key)) return false;
    if (report.status === 'Completed') {
      addCounters(d.messages, report.counters);
      d.failedKeys = d.failedKeys.filter((k) => k !== key);
      d.failedMailboxes = d.failedMailboxes.filter((f) => f.mailboxKey !== key);
      d.mailboxes.failed--;
      d.failedMailboxesTotal--;
      d.mailboxes.completed++;
      return true;
    }
    if (report.status === 'Failed') {
      addCounters(d.messages, report.counters);
      const listed = d.failedMailboxes.find((f) => f.mailboxKey === key);
      if (listed) listed.reason = report.error ?? listed.reason;
      return true;
    }
    return false;
  }

  /** A mailbox that could not be dispatched, or closed without reporting (liveness check). */
  markFailed(mailboxKey: string, reason: string, kind: ErrorKind = 'mailbox'): boolean {
    const entry = this.data.inFlight[mailboxKey];
    if (!entry) return false;
    delete this.data.inFlight[mailboxKey];
    this.addFailure({ address: entry.address, mailboxKey, reason, kind });
    return true;
  }

  /**
   * Compares a running mailbox's progress mark with the one of the last check and returns how many
   * consecutive checks saw no change. Counting checks (not time) keeps an outage of the whole
   * system from looking like one stuck mailbox; a paused pass counts nothing.
   */
  observeProgress(mailboxKey: string, mark: string): number {
    const entry = this.data.inFlight[mailboxKey];
    if (!entry) return 0;
    if (this.data.paused || entry.progressMark !== mark) {
      entry.progressMark = mark;
      entry.checksWithoutProgress = 0;
      return 0;
    }
    entry.checksWithoutProgress = (entry.checksWithoutProgress ?? 0) + 1;
    return entry.checksWithoutProgress;
  }

  private addFailure(failure: FailedMailbox): void {
    const d = this.data;
    d.mailboxes.failed++;
    d.failedMailboxesTotal++;
    if ((d.failedKeys ??= []).length < FAILED_KEYS_CAP) d.failedKeys.push(failure.mailboxKey);
    if (d.failedMailboxes.length < FAILED_MAILBOXES_CAP) d.failedMailboxes.push(failure);
  }

  // --- control

  pause(): void {
    this.data.paused = true;
  }
  resume(): void {
    this.data.paused = false;
  }
  requestCancel(reason?: string): void {
    this.data.cancelRequested = true;
    this.data.cancelReason = reason;
    this.data.pending = [];
  }
  /** A source error (docs/architecture.md, Error scopes): stop dispatching, one actionable message. */
  failSource(message: string): void {
    this.data.status = 'Failed';
    this.data.error = message;
    this.data.pending = [];
  }

  // --- deletion phase (same sliding window over the out-of-scope registry pages)

  /** Moves on to deletions when they are allowed; returns false when the pass skips them. */
  startDeletionPhase(): boolean {
    const d = this.data;
    if (this.stopped || !d.deletions.allowed || d.deletions.candidates === 0) return false;
    d.phase = 'delete';
    d.status = 'Deleting';
    d.cursor = { scope: 'outOfScope', exhausted: false };
    d.pending = [];
    return true;
  }

  /** A deleteMailbox child finished (true) or failed (false). */
  deletionFinished(mailboxKey: string, ok: boolean, reason?: string): void {
    const entry = this.data.inFlight[mailboxKey];
    if (!entry) return;
    delete this.data.inFlight[mailboxKey];
    if (ok) {
      this.data.deletions.performed++;
    } else {
      this.data.deletions.failed++;
      this.addFailure({
        address: entry.address,
        mailboxKey,
        reason: `deletion failed: ${reason ?? 'unknown'}`,
        kind: 'mailbox',
      });
    }
  }

  // --- the end

  /** The final status once everything has drained. */
  finish(): PassStatus {
    const d = this.data;
    d.phase = 'done';
    if (d.status === 'Failed' || d.status === 'Skipped') return d.status;
    if (d.cancelRequested) d.status = 'Cancelled';
    else if (d.mailboxes.failed > 0 || d.deletions.failed > 0) d.status = 'CompletedWithFailures';
    else d.status = 'Completed';
    return d.status;
  }

  skip(reason: string): void {
    this.data.status = 'Skipped';
    this.data.error = reason;
    this.data.phase = 'done';
  }

  progress(): PassProgress {
    const d = this.data;
    const progress: PassProgress = {
      passId: d.passId,
      sourceId: d.sourceId,
      status: d.status,
      mode: d.mode,
      paused: d.paused,
      startedAt: d.startedAt,
      mailboxes: {
        total: d.snapshot?.inScope ?? 0,
        dispatched: d.mailboxes.dispatched,
        inFlight: d.phase === 'crawl' ? this.inFlightCount : 0,
        completed: d.mailboxes.completed,
        failed: d.mailboxes.failed,
        ...(d.mailboxes.idle ? { idle: d.mailboxes.idle } : {}),
      },
      messages: { ...d.messages },
      deletions: {
        candidates: d.deletions.candidates,
        performed: d.deletions.performed,
        withheld: d.deletions.withheld,
        ...(d.deletions.reason ? { reason: d.deletions.reason } : {}),
      },
      failedMailboxes: d.failedMailboxes.slice(),
      failedMailboxesTotal: d.failedMailboxesTotal,
    };
    if (d.boundaryOverflow?.length) progress.boundaryOverflow = d.boundaryOverflow.map((o) => ({ ...o }));
    if (d.error) progress.error = d.error;
    return progress;
  }
}
