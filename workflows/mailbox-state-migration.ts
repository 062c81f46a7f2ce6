// The versioned state a mailbox workflow carries through continue-as-new, and its pure migration
// (docs/architecture.md, Versioning): mailbox workflows outlive deploys, so a run must accept what an older
// build wrote.
import type {
  CrawlRequest,
  MailboxCarriedState,
  MailboxStatus,
  PassMode,
  TimeWindow,
  View,
} from '../common/contracts';
import type { MessageCounters } from '../common/message-counters';
import { emptyCounters } from '../common/message-counters';
import { upgradeCarriedSettings } from '../common/carried-settings';
import { invariantFailure } from './workflow-failures';

/** Bump when the shape changes, and add a step to `MIGRATIONS`. */
export const MAILBOX_STATE_VERSION = 1;

/** Per view: the delta token and where its coverage begins (to notice an earlier startDate). */
export interface ViewCoverage {
  token?: string;
  coveredFrom?: string;
}

/** Where one view of the pass in progress stands; windows are fixed when the pass starts. */
export interface ViewCursor {
  view: View;
  windows: TimeWindow[];
  windowIndex: number;
  /** startDate that becomes the view's coverage start once the window starting there completes. */
  coverageFrom?: string;
  pageToken?: string;
  pageIndex: number;
  previousLastReceived?: string;
  /** Restarts of the current window after a rejected or expired page token. */
  tokenRestarts: number;
  /** Adaptive windows (patch `adaptive-windows`): how many sparse windows the next list request spans. */
  growth?: number;
}

export interface PassOutcome {
  status: 'Completed' | 'Failed' | 'Cancelled';
  error?: string;
  errorKind?: 'item' | 'throttled' | 'transient' | 'mailbox' | 'source';
}

export interface PassCursor {
  request: CrawlRequest;
  mode: PassMode;
  startedAt: string;
  views: ViewCursor[];
  viewIndex: number;
  /** The retry of recorded failures ran (or was not needed). */
  retryDone: boolean;
  sweepsDone: View[];
  viewsCompleted: View[];
  counters: MessageCounters;
  consecutiveItemFailures: number;
  /** Items that reached an outcome in this pass (indexed, skipped as existing, failed). */
  items: number;
  pagesDone: number;
  boundaryOverflowSeconds: string[];
  outcome?: PassOutcome;
}

export interface MailboxStateV1 {
  version: 1;
  coverage: Partial<Record<View, ViewCoverage>>;
  queue: CrawlRequest[];
  pass?: PassCursor;
  lastRequest?: CrawlRequest;
  /** Recently finished pass ids, so a repeated crawlRequested is not crawled twice. */
  recentPassIds: string[];
  messagesIndexedTotal: number;
  /** Failed items recorded in `<prefix>-failed` and not yet cleared (as last known). */
  failedOutstanding: number;
  status: MailboxStatus;
  paused: boolean;
  lastError?: string;
  lastPassAt?: string;
  /** A stop requested (stopMailbox) and not yet carried out: a run that continues-as-new passes it on. */
  stopReason?: string;
}

export type MailboxState = MailboxStateV1;

export function initialMailboxState(): MailboxState {
  return {
    version: 1,
    coverage: {},
    queue: [],
    recentPassIds: [],
    messagesIndexedTotal: 0,
    failedOutstanding: 0,
    status: 'Idle',
    paused: false,
  };
}

/**
 * A state written by a newer build. Deliberately NOT a workflow failure: failing would drop the
 * mailbox's tokens, while retrying the workflow task lets a newer worker (a rolling deploy) take the
 * run over. Meanwhile the pass's liveness check records the mailbox as making no progress.
 */
export class NewerMailboxStateError extends Error {
  constructor(version: number) {
    super(
      `mailbox state version ${version} is newer than this build understands (${MAILBOX_STATE_VERSION}); deploy the newer worker`,
    );
    this.name = 'NewerMailboxStateError';
  }
}

/** One step per old version: `MIGRATIONS[n]` turns a version-n state into version n+1. */
const MIGRATIONS: Record<number, (state: Record<string, unknown>) => Record<string, unknown>> = {};

function withCounterDefaults(pass: PassCursor): PassCursor {
  // Counters added by a later build start at zero for a pass begun by an earlier one.
  return { ...pass, counters: { ...emptyCounters(), ...pass.counters } };
}

/** Requests queued by an older build carry settings of an older schema: they get this build's defaults. */
function withCurrentSettings(state: MailboxState): MailboxState {
  state.queue = state.queue.map(upgradeCarriedSettings);
  if (state.pass?.request)
    state.pass = { ...state.pass, request: upgradeCarriedSettings(state.pass.request) };
  if (state.lastRequest) state.lastRequest = upgradeCarriedSettings(state.lastRequest);
  return state;
}

/**
 * Brings a carried state to the current version. Missing fields get their defaults (an older
 * build may not have written them); a state from a newer build is refused, because this code
 * cannot know what its fields mean and must not silently drop tokens.
 */
export function migrateMailboxState(carried: MailboxCarriedState | undefined): MailboxState {
  if (!carried) return initialMailboxState();
  let state: Record<string, unknown> = { ...carried };
  let version = typeof carried.version === 'number' ? carried.version : 0;
  if (version > MAILBOX_STATE_VERSION) throw new NewerMailboxStateError(version);
  while (version < MAILBOX_STATE_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw invariantFailure(`no migration from mailbox state version ${version}`);
    state = step(state);
    version += 1;
  }
  const merged = { ...initialMailboxState(), ...state, version: MAILBOX_STATE_VERSION } as MailboxState;
  if (merged.pass) merged.pass = withCounterDefaults(merged.pass);
  return withCurrentSettings(merged);
}

export function toCarriedState(state: MailboxState): MailboxCarriedState {
  return { ...state } as unknown as MailboxCarriedState;
}
