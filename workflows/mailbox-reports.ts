// What a mailbox workflow tells others: the pass report, the report of a dropped request, its progress query.
import type { CrawlRequest, MailboxProgress, MailboxReport, SteadyCoverage } from '../common/contracts';
import { VIEWS, type View } from '../common/contracts';
import { emptyCounters } from '../common/message-counters';
import type { MailboxState, PassCursor, PassOutcome, ViewCursor } from './mailbox-state-migration';
import type { MailboxIdentity } from './mailbox-step';

/** The report of a finished pass for its requester. */
export function passReport(
  identity: MailboxIdentity,
  pass: PassCursor,
  outcome: PassOutcome,
  steady?: SteadyCoverage,
): MailboxReport {
  return {
    passId: pass.request.passId,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    status: outcome.status,
    counters: pass.counters,
    // In view order: with pages of both views at once (parallel-views.ts) either may complete first.
    viewsCompleted: VIEWS.filter((view) => pass.viewsCompleted.includes(view)),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.errorKind !== undefined ? { errorKind: outcome.errorKind } : {}),
    ...(pass.boundaryOverflowSeconds.length
      ? { boundaryOverflowSeconds: [...pass.boundaryOverflowSeconds] }
      : {}),
    ...(steady ? { steady } : {}),
  };
}

/** Report for a request dropped by cancel or stop before it ran. */
export function droppedReport(
  identity: MailboxIdentity,
  request: CrawlRequest,
  reason: string,
): MailboxReport {
  return {
    passId: request.passId,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    status: 'Cancelled',
    counters: emptyCounters(),
    viewsCompleted: [],
    error: reason,
  };
}

/** The answer to the progress query. */
export function mailboxProgress(
  identity: MailboxIdentity,
  state: MailboxState,
  cursor: ViewCursor | undefined,
): MailboxProgress {
  const pass = state.pass;
  const tokens: Partial<Record<View, string>> = {};
  for (const view of VIEWS) {
    const token = state.coverage[view]?.token;
    if (token) tokens[view] = token;
  }
  const windowsTotal = pass ? pass.views.reduce((n, v) => n + v.windows.length, 0) : 0;
  const windowsDone = pass ? pass.views.reduce((n, v) => n + v.windowIndex, 0) : 0;
  return {
    address: identity.address,
    status: state.status,
    currentPassId: pass?.request.passId,
    mode: pass?.mode,
    view: cursor?.view,
    window: cursor ? cursor.windows[cursor.windowIndex] : undefined,
    windowsDone,
    windowsTotal,
    pagesDone: pass?.pagesDone ?? 0,
    tokens,
    queued: state.queue.length,
    paused: state.paused,
    counters: pass?.counters ?? emptyCounters(),
    messagesIndexedTotal: state.messagesIndexedTotal,
    lastError: state.lastError,
  };
}
