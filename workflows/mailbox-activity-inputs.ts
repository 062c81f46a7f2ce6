// The inputs of the mailbox workflow's activities, built from its identity, the request or pass, and the step.
import type {
  CrawlPageInput,
  LoadWatermarksInput,
  ProbedView,
  ProbeMailboxInput,
  RetryFailedItemsInput,
  SweepUnseenInput,
} from '../common/activity-contracts';
import type { CrawlRequest, MailboxTuning, View } from '../common/contracts';
import type { PassCursor } from './mailbox-state-migration';
import type { MailboxIdentity, MailboxStep } from './mailbox-step';

const DEFAULT_RETRY_FAILED_MAX_ATTEMPTS = 5;

export function watermarksInput(identity: MailboxIdentity, request: CrawlRequest): LoadWatermarksInput {
  return {
    settings: request.settings,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
  };
}

export function probeInput(
  identity: MailboxIdentity,
  request: CrawlRequest,
  views: ProbedView[],
): ProbeMailboxInput {
  return {
    settings: request.settings,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    domain: identity.domain,
    passId: request.passId,
    views,
  };
}

export function retryInput(
  identity: MailboxIdentity,
  pass: PassCursor,
  tuning: MailboxTuning,
): RetryFailedItemsInput {
  return {
    settings: pass.request.settings,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    domain: identity.domain,
    passId: pass.request.passId,
    maxAttempts: tuning.retryFailedMaxAttempts ?? DEFAULT_RETRY_FAILED_MAX_ATTEMPTS,
  };
}

export function pageInput(
  identity: MailboxIdentity,
  pass: PassCursor,
  step: Extract<MailboxStep, { kind: 'page' }>,
): CrawlPageInput {
  return {
    settings: pass.request.settings,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    domain: identity.domain,
    view: step.view,
    passId: pass.request.passId,
    mode: pass.mode,
    refetchContent: pass.request.refetchContent ?? false,
    window: step.window,
    pageToken: step.pageToken,
    pageIndex: step.pageIndex,
    previousLastReceived: step.previousLastReceived,
    watermarkOnLastPage: step.watermarkOnLastPage,
  };
}

export function sweepInput(identity: MailboxIdentity, pass: PassCursor, view: View): SweepUnseenInput {
  return {
    settings: pass.request.settings,
    address: identity.address,
    mailboxKey: identity.mailboxKey,
    view,
    passId: pass.request.passId,
    // The activity skips a view that holds any of them (not a command change: input only).
    boundaryOverflowSeconds: [...pass.boundaryOverflowSeconds],
  };
}
