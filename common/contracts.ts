// The contracts that workflows, activities and the CLI share (docs/architecture.md, The shape; Workflows and
// ids): every workflow and activity takes ONE input object and returns ONE result object, and their types
// live here. Types and pure helpers only: this module is bundled into workflow code.
import type { MessageCounters } from './message-counters';
import type { SourceSettings, SourceSettingsInput } from './settings';

export type View = 'INBOX' | 'SENT';
export const VIEWS: readonly View[] = ['INBOX', 'SENT'];

/** delta: windows from the tokens; reconcile: whole range, sweep unseen; retryFailed: only recorded failures. */
export type PassMode = 'delta' | 'reconcile' | 'retryFailed';

/**
 * The one rule for a pass's mode: a requested delta pass reconciles when this pass asks for it
 * (`crawl --ignore-delta-tokens`) or the source's settings do (`messages.ignoreDeltaTokens`).
 */
export function passModeFor(
  requested: PassMode,
  settings: Pick<SourceSettings, 'messages'>,
  ignoreDeltaTokens = false,
): PassMode {
  return requested === 'delta' && (ignoreDeltaTokens || settings.messages.ignoreDeltaTokens)
    ? 'reconcile'
    : requested;
}

export type PassStatus =
  | 'Enumerating'
  | 'Crawling'
  | 'Deleting'
  | 'Completed'
  | 'CompletedWithFailures'
  | 'Failed'
  | 'Cancelled'
  | 'Skipped';

export type MailboxStatus = 'Idle' | 'Running' | 'Completed' | 'Failed' | 'Cancelled' | 'Deleting';

/** Error kinds of docs/architecture.md, Error scopes; each maps to one action (common/node/errors.ts). */
export type ErrorKind = 'item' | 'throttled' | 'transient' | 'mailbox' | 'source';

/** ApplicationFailure `type`s thrown by activities, so workflows can tell the scopes apart. */
export const FailureTypes = {
  source: 'SourceError',
  mailbox: 'MailboxError',
  throttled: 'ThrottledError',
  transient: 'TransientError',
  /** Only if an item error escapes its page (it should be recorded instead): non-retryable. */
  item: 'ItemError',
} as const;

/** Inclusive window at one-second resolution, ISO-8601 UTC without milliseconds (`2024-01-31T23:59:59Z`). */
export interface TimeWindow {
  start: string;
  end: string;
}

// --------------------------------------------------------------------------------------------- Workflow ids
// (docs/architecture.md, Workflows and ids). `mailboxKey` is the lower-cased address, or its keyed hash when
// `privacy.hashAddresses` is on (computed by activities, carried through the registry).

export const WorkflowTypes = {
  crawlArchive: 'crawlArchive',
  crawlMailbox: 'crawlMailbox',
  deleteMailbox: 'deleteMailbox',
} as const;

export function passWorkflowId(sourceId: string): string {
  return `crawl:${sourceId}`;
}
/** Prefix that finds both CLI passes (`crawl:<id>`) and scheduled ones (`crawl:<id>:<time>`). */
export function passWorkflowIdPrefix(sourceId: string): string {
  return `crawl:${sourceId}`;
}
export function mailboxWorkflowId(sourceId: string, mailboxKey: string): string {
  return `mailbox:${sourceId}:${mailboxKey}`;
}
export function deleteWorkflowId(sourceId: string, mailboxKey: string): string {
  return `delete:${sourceId}:${mailboxKey}`;
}

// ---------------------------------------------------------------------------------------------
// crawlArchive (one pass of one source)

export interface PassOptions {
  /** reconcile for this pass only (`crawl --ignore-delta-tokens`). */
  ignoreDeltaTokens?: boolean;
  /** with reconcile: fetch content of every message, not only missing ones. */
  refetchContent?: boolean;
  /** perform deletions a previous pass withheld (`crawl --confirm-deletions`). */
  confirmDeletions?: boolean;
  /** run even if another pass of this source is running. */
  force?: boolean;
}

export interface FailedMailbox {
  address: string;
  mailboxKey: string;
  reason: string;
  kind: ErrorKind;
}

/** A mailbox whose listing had boundary seconds over one page of 500 (its views with them were not swept). */
export interface BoundaryOverflow {
  address: string;
  seconds: string[];
}

export interface PassProgress {
  passId: string;
  sourceId: string;
  status: PassStatus;
  mode: PassMode;
  paused: boolean;
  startedAt: string;
  mailboxes: {
    total: number;
    dispatched: number;
    inFlight: number;
    /** Includes the idle ones. */
    completed: number;
    failed: number;
    /** Completed by the pass's idle screen without waking their workflow (docs/architecture.md, The steady state). */
    idle?: number;
  };
  messages: MessageCounters;
  deletions: { candidates: number; performed: number; withheld: number; reason?: string };
  /** Capped list; `failedMailboxesTotal` has the real count. */
  failedMailboxes: FailedMailbox[];
  failedMailboxesTotal: number;
  /** Mailboxes with overflowed boundary seconds (capped list), named in the pass report. */
  boundaryOverflow?: BoundaryOverflow[];
  /** Set when the pass failed for a source-level reason (docs/architecture.md, Error scopes). */
  error?: string;
}

export interface CrawlArchiveInput {
  /** Parsed leniently inside the workflow (old schedule arguments keep working) unless `settingsVersion` is set. */
  settings: SourceSettingsInput | SourceSettings;
  /** Set on continue-as-new: the settings are parsed already (common/carried-settings.ts). */
  settingsVersion?: number;
  options?: PassOptions;
  /** Only on continue-as-new: the pass's state carried into the next run. */
  carried?: PassCarriedState;
  /** Knobs for tests and operators; defaults are the production values (workflows/crawl-archive.ts). */
  tuning?: PassTuning;
}

/** Each default is a named constant in the workflow that reads it; none is restated here. */
export interface PassTuning {
  /** Period of the liveness check of in-flight mailboxes (DEFAULT_LIVENESS_CHECK_MS). */
  livenessCheckMs?: number;
  /**
   * A running mailbox whose progress mark did not change over this many consecutive liveness checks
   * is recorded as failed (DEFAULT_STALLED_CHECKS).
   */
  stalledChecks?: number;
  /** Continue-as-new after this many child starts in one run (DEFAULT_MAX_CHILD_STARTS_PER_RUN). */
  maxChildStartsPerRun?: number;
  /** Registry entries read per page (default max(100, parallelism)). */
  registryPageSize?: number;
  /** false: a delta pass wakes every mailbox, even those the idle screen would find with nothing new
   * (default true; docs/architecture.md, The steady state). */
  screenIdleMailboxes?: boolean;
  /** Passed on to the mailbox workflows this pass starts. */
  mailboxTuning?: MailboxTuning;
}

/** Opaque to all but the pass workflow; versioned with a pure migration (docs/architecture.md, Versioning). */
export interface PassCarriedState {
  version: number;
  [key: string]: unknown;
}

export type CrawlArchiveResult = PassProgress;

/**
 * Workflow task timeout to start a pass with (CLI, schedules) and that its continued runs keep: a
 * pass's history holds up to 500 child starts, and a replay on a busy worker can exceed the 10 s
 * default, after which every retry replays again and times out again.
 */
export const PASS_WORKFLOW_TASK_TIMEOUT = '1 minute';

// ---------------------------------------------------------------------------------------------
// crawlMailbox (long-lived, one per mailbox)

export interface CrawlRequest {
  passId: string;
  /** Workflow id of the pass to report to (never workflowInfo().parent). */
  replyTo: string;
  mode: PassMode;
  refetchContent?: boolean;
  settings: SourceSettings;
  /** Schema version of the pass's parsed settings (common/carried-settings.ts); absent from older builds. */
  settingsVersion?: number;
}

export interface CrawlMailboxInput {
  sourceId: string;
  address: string;
  mailboxKey: string;
  domain: string;
  /** Requests to process first (the starting pass puts its own request here). */
  requests?: CrawlRequest[];
  /** Only on continue-as-new: tokens, queue, counters; versioned with a pure migration. */
  state?: MailboxCarriedState;
  /** Knobs for tests and operators; defaults are the production values (workflows/crawl-mailbox.ts). */
  tuning?: MailboxTuning;
}

/** Each default is a named constant in the workflow that reads it; none is restated here. */
export interface MailboxTuning {
  /** Continue-as-new mid-pass once the history has this many events (DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS). */
  continueAsNewAfterEvents?: number;
  /** Window length in days (DEFAULT_WINDOW_DAYS). */
  windowDays?: number;
  /**
   * Between passes, continue-as-new once the history has this many events (0 = after every pass;
   * DEFAULT_CONTINUE_AS_NEW_BETWEEN_PASSES_AFTER_EVENTS); until then the workflow waits for the
   * next pass in the same run (patch `steady-state`).
   */
  continueAsNewBetweenPassesAfterEvents?: number;
  /** Overrides of the crawlPage retry policy (default: workflows/activity-options.ts). */
  pageRetry?: { maximumAttempts?: number; initialIntervalMs?: number; maximumIntervalMs?: number };
  /** Recorded failures are retried until they failed this often (DEFAULT_RETRY_FAILED_MAX_ATTEMPTS). */
  retryFailedMaxAttempts?: number;
}

export interface MailboxCarriedState {
  version: number;
  [key: string]: unknown;
}

export interface MailboxReport {
  passId: string;
  address: string;
  mailboxKey: string;
  status: 'Completed' | 'Failed' | 'Cancelled';
  counters: MessageCounters;
  /** Views whose every window completed in this pass. */
  viewsCompleted: View[];
  error?: string;
  errorKind?: ErrorKind;
  /** Seconds holding more records than one page of 500, listed in the pass report (docs/architecture.md,
   * Tokens and windows). */
  boundaryOverflowSeconds?: string[];
  /** On a completed pass with no failure outstanding and a token for every view: what the next pass's
   * idle screen needs to tell "nothing new" without waking the workflow (docs/architecture.md, The steady state). */
  steady?: SteadyCoverage;
}

/** Per view, the workflow's token and where its coverage begins, as of the end of a pass. */
export type SteadyCoverage = Partial<Record<View, { token: string; coveredFrom?: string }>>;

export interface MailboxProgress {
  address: string;
  status: MailboxStatus;
  currentPassId?: string;
  mode?: PassMode;
  view?: View;
  window?: TimeWindow;
  windowsDone: number;
  windowsTotal: number;
  pagesDone: number;
  tokens: Partial<Record<View, string>>;
  queued: number;
  paused: boolean;
  counters: MessageCounters;
  messagesIndexedTotal: number;
  lastError?: string;
}

export interface RestartMailboxInput {
  /** Settings for this pass; default: those of the mailbox's last request. */
  settings?: SourceSettingsInput | SourceSettings;
  mode?: PassMode;
  refetchContent?: boolean;
  /** Where to report; default: the replyTo of the last request (so a still-running pass moves it to done). */
  replyTo?: string;
}
export interface RestartMailboxResult {
  passId: string;
  queuedBehind: number;
}

// ---------------------------------------------------------------------------------------------
// deleteMailbox

export interface DeleteMailboxInput {
  settings: SourceSettings;
  /** Schema version of the pass's parsed settings (common/carried-settings.ts); absent from older builds. */
  settingsVersion?: number;
  address: string;
  mailboxKey: string;
  passId: string;
  replyTo?: string;
}
export interface DeleteMailboxResult {
  address: string;
  deleted: number;
  mailboxWorkflowClosed: boolean;
}
