// Signals, queries and updates of the crawl workflows, shared by workflows and the CLI
// (samples-typescript `mutex/src/shared.ts` style). Payload types live in contracts.ts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CrawlRequest,
  MailboxProgress,
  MailboxReport,
  PassProgress,
  RestartMailboxInput,
  RestartMailboxResult,
} from './contracts';

// --- crawlMailbox
/** A pass asks the mailbox for a crawl; queued first-in first-out, deduplicated by passId. */
export const crawlRequestedSignal = defineSignal<[CrawlRequest]>('crawlRequested');
export const pauseMailboxSignal = defineSignal<[{ passId?: string }]>('pauseMailbox');
export const resumeMailboxSignal = defineSignal<[{ passId?: string }]>('resumeMailbox');
/** Cancels the pass in progress (and queued requests of that passId); the current page finishes. */
export const cancelMailboxSignal = defineSignal<[{ passId?: string; reason?: string }]>('cancelMailbox');
/** Finish the current page, keep nothing queued and close the workflow (before deleteMailbox). */
export const stopMailboxSignal = defineSignal<[{ reason: string }]>('stopMailbox');
export const mailboxProgressQuery = defineQuery<MailboxProgress>('mailboxProgress');
/** restart-mailbox / retry-failed: a new pass of this mailbox alone, answered by the validator or the id. */
export const restartMailboxUpdate = defineUpdate<RestartMailboxResult, [RestartMailboxInput]>(
  'restartMailbox',
);

// --- crawlArchive
export const mailboxFinishedSignal = defineSignal<[MailboxReport]>('mailboxFinished');
export const mailboxFailedSignal = defineSignal<[MailboxReport]>('mailboxFailed');
export const passProgressQuery = defineQuery<PassProgress>('passProgress');
export const pausePassUpdate = defineUpdate<PassProgress, []>('pausePass');
export const resumePassUpdate = defineUpdate<PassProgress, []>('resumePass');
export const cancelPassUpdate = defineUpdate<PassProgress, [{ reason?: string }]>('cancelPass');
