// The contracts of the activities (docs/architecture.md, The shape): ONE input object and ONE result
// object per activity, and CrawlerActivities, which activities/index.ts implements and the workflows
// proxy. Types only: bundled into workflow code. The workflows' own contracts are in contracts.ts.
import type { MailboxStatus, PassMode, PassProgress, SteadyCoverage, TimeWindow, View } from './contracts';
import type { MessageCounters } from './message-counters';
import type { SourceSettings } from './settings';

export interface RegistryMailbox {
  address: string;
  mailboxKey: string;
  domain: string;
  /** Its workflow reported to a pass before (registry status not Idle): it is most likely running. */
  reported?: boolean;
}

export interface SnapshotScopeInput {
  settings: SourceSettings;
  passId: string;
}
export interface SnapshotScopeResult {
  /** false when any directory page failed or looked suspicious: nothing may be deleted then. */
  complete: boolean;
  total: number;
  inScope: number;
  outOfScope: number;
  /** Known mailboxes of this source in the registry before this snapshot. */
  previouslyKnown: number;
  excludedByRule: Record<string, number>;
  notMailboxes: number;
  problems: string[];
}

export interface ReadRegistryPageInput {
  settings: SourceSettings;
  passId: string;
  scope: 'inScope' | 'outOfScope';
  searchAfter?: (string | number)[];
  size: number;
  /** Delta pass: leave out, and count, the mailboxes the idle screen finds with nothing new
   * (activities/pass/idle-screen.ts). */
  screenIdle?: boolean;
}
export interface ReadRegistryPageResult {
  /** The mailboxes to dispatch. */
  mailboxes: RegistryMailbox[];
  /** Mailboxes of the page that the idle screen found with nothing new: done for this pass. */
  idle?: number;
  /** Absent on the last page. */
  nextSearchAfter?: (string | number)[];
}

export interface FindRunningPassesInput {
  sourceId: string;
  selfWorkflowId: string;
}
export interface FindRunningPassesResult {
  workflowIds: string[];
}

export interface DescribeMailboxesInput {
  workflowIds: string[];
}
export interface DescribeMailboxesResult {
  /** Mailbox workflows that are closed or not found, with their status. */
  notRunning: { workflowId: string; status: string }[];
  /** Running ones (absent from results of older builds): what the pass compares between checks. */
  running?: RunningMailboxDescription[];
}

export interface RunningMailboxDescription {
  workflowId: string;
  /**
   * Changes whenever the workflow makes progress: its history length, and each pending activity's
   * attempt, start and last heartbeat. Workflow task attempts are left out: a task that keeps
   * failing is no progress.
   */
  progressMark: string;
  /** What it is doing, for the failure reason ("workflow task attempt 7", "crawlPage attempt 3 …"). */
  detail: string;
}

export interface WritePassReportInput {
  settings: SourceSettings;
  progress: PassProgress;
  finishedAt: string;
  /** Where to learn who started the pass: the first run's start event, and the schedule if any. */
  starter?: PassStarterRef;
}

/** What the pass workflow knows of its start; the activity adds the start event's identity. */
export interface PassStarterRef {
  workflowId: string;
  firstExecutionRunId: string;
  /** The `TemporalScheduledById` search attribute of a scheduled run. */
  scheduleId?: string;
}

/** Who or what started a pass, as the pass report records it. */
export interface PassStarter {
  /** `cli` (mimecast-crawler, with user and host), `schedule`, or `temporal` (any other client). */
  kind: 'cli' | 'schedule' | 'temporal';
  scheduleId?: string;
  /** The Temporal identity of the client that started the first run, when it could be read. */
  identity?: string;
  user?: string;
  host?: string;
}
export interface WritePassReportResult {
  reportId: string;
}

export interface LoadWatermarksInput {
  settings: SourceSettings;
  address: string;
  /** The mailbox key, computed once at the snapshot and carried (absent in inputs of older builds: computed then). */
  mailboxKey?: string;
}
export interface LoadWatermarksResult {
  /** End of the last completed window per view, from `<prefix>-state`; absent = no watermark. */
  watermarks: Partial<Record<View, string>>;
}

/** The first window of a view as the mailbox workflow planned it from its own delta token. */
export interface ProbedView {
  view: View;
  window: TimeWindow;
  token: string;
}

/** Steady-state fast path: the watermarks and the first page of every view in one activity. */
export interface ProbeMailboxInput {
  settings: SourceSettings;
  address: string;
  mailboxKey: string;
  domain: string;
  passId: string;
  views: ProbedView[];
}
export interface ProbeMailboxResult {
  watermarks: Partial<Record<View, string>>;
  /**
   * The first page of each view that had nothing to fetch, already written (its watermark too);
   * a view absent here is crawled page by page as usual.
   */
  pages: Partial<Record<View, CrawlPageResult>>;
}

export interface CrawlPageInput {
  settings: SourceSettings;
  address: string;
  /** The mailbox key, computed once at the snapshot and carried (absent in inputs of older builds: computed then). */
  mailboxKey?: string;
  domain: string;
  view: View;
  passId: string;
  mode: PassMode;
  refetchContent: boolean;
  window: TimeWindow;
  /** Absent on a window's first page. */
  pageToken?: string;
  pageIndex: number;
  /** `received` of the previous page's last record, for the boundary-second check (docs/architecture.md,
   * Tokens and windows). */
  previousLastReceived?: string;
  /** Write the view's watermark (= window.end) in the same bulk request as the window's last page. */
  watermarkOnLastPage: boolean;
}

export type CrawlPageOutcome =
  /** More pages: call again with nextPageToken. */
  | 'page'
  /** Every page of the window is indexed. */
  | 'windowComplete'
  /** fail[] on a request that carried a page token: restart the window. */
  | 'pageTokenRejected'
  /** validation fail[] on the window's first page: halve the window. */
  | 'windowRejected';

export interface CrawlPageResult {
  outcome: CrawlPageOutcome;
  nextPageToken?: string;
  lastReceived?: string;
  counters: MessageCounters;
  /** Item failures at the end of this page with no success after them (error budget). */
  trailingItemFailures: number;
  /** Seconds whose records exceeded one page of 500 in the boundary check (reported; docs/architecture.md,
   * Tokens and windows). */
  boundaryOverflowSeconds: string[];
  problem?: string;
}

export interface RetryFailedItemsInput {
  settings: SourceSettings;
  address: string;
  /** The mailbox key, computed once at the snapshot and carried (absent in inputs of older builds: computed then). */
  mailboxKey?: string;
  domain: string;
  passId: string;
  /** Items that failed more often than this are left alone (bounded retries). */
  maxAttempts: number;
}
export type RetryFailedItemsResult = { counters: MessageCounters; remaining: number };

export interface SweepUnseenInput {
  settings: SourceSettings;
  address: string;
  /** The mailbox key, computed once at the snapshot and carried (absent in inputs of older builds: computed then). */
  mailboxKey?: string;
  view: View;
  passId: string;
  /** Boundary seconds of this pass that overflowed one page of 500: a view holding any is not swept. */
  boundaryOverflowSeconds?: string[];
}
export interface SweepUnseenResult {
  deleted: number;
  /** Overflowed seconds this view holds documents in: the sweep was skipped for this pass. */
  notSweptForOverflow?: string[];
}

export interface UpdateRegistryStatusInput {
  settings: SourceSettings;
  address: string;
  status: MailboxStatus;
  passId: string;
  at: string;
}

/** Many mailbox outcomes of one pass in one registry write (the pass batches them). */
export interface RecordMailboxOutcomesInput {
  settings: SourceSettings;
  passId: string;
  at: string;
  /** `steady` from a completed mailbox's report: kept in the registry for the next pass's idle screen. */
  outcomes: { address: string; status: MailboxStatus; steady?: SteadyCoverage }[];
}

export interface StopMailboxWorkflowInput {
  workflowId: string;
  reason: string;
}
export interface StopMailboxWorkflowResult {
  closed: boolean;
}

export interface DeleteMailboxDocumentsInput {
  settings: SourceSettings;
  address: string;
  /** The mailbox key, computed once at the snapshot and carried (absent in inputs of older builds: computed then). */
  mailboxKey?: string;
}
export interface DeleteMailboxDocumentsResult {
  deleted: number;
}

export interface CrawlerActivities {
  findRunningPasses(input: FindRunningPassesInput): Promise<FindRunningPassesResult>;
  snapshotScope(input: SnapshotScopeInput): Promise<SnapshotScopeResult>;
  readRegistryPage(input: ReadRegistryPageInput): Promise<ReadRegistryPageResult>;
  describeMailboxes(input: DescribeMailboxesInput): Promise<DescribeMailboxesResult>;
  writePassReport(input: WritePassReportInput): Promise<WritePassReportResult>;
  loadWatermarks(input: LoadWatermarksInput): Promise<LoadWatermarksResult>;
  crawlPage(input: CrawlPageInput): Promise<CrawlPageResult>;
  probeMailbox(input: ProbeMailboxInput): Promise<ProbeMailboxResult>;
  retryFailedItems(input: RetryFailedItemsInput): Promise<RetryFailedItemsResult>;
  sweepUnseen(input: SweepUnseenInput): Promise<SweepUnseenResult>;
  updateRegistryStatus(input: UpdateRegistryStatusInput): Promise<void>;
  recordMailboxOutcomes(input: RecordMailboxOutcomesInput): Promise<void>;
  stopMailboxWorkflow(input: StopMailboxWorkflowInput): Promise<StopMailboxWorkflowResult>;
  deleteMailboxDocuments(input: DeleteMailboxDocumentsInput): Promise<DeleteMailboxDocumentsResult>;
}
