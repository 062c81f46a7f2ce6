// Fixtures of the mailbox workflow's state class without Temporal (workflows/mailbox-crawl-state.ts): one
// mailbox's identity, crawl requests with the test source's settings, page results, and a mailbox whose
// first pass ran to its end.
import type { CrawlPageResult } from '../../common/activity-contracts';
import { type CrawlRequest } from '../../common/contracts';
import { emptyCounters, type MessageCounters } from '../../common/message-counters';
import { MailboxCrawlState } from '../../workflows/mailbox-crawl-state';
import { settings, type SettingsLayer } from './settings';

export function mailboxIdentity(address = 'alice@example.com') {
  return { sourceId: 'src', address, mailboxKey: address, domain: address.split('@')[1]! };
}

/** A request of pass `passId` (reporting to `crawl:<passId>`); `messages` is merged into the settings. */
export function crawlRequest(
  passId: string,
  over: Partial<CrawlRequest> = {},
  messages: SettingsLayer = {},
): CrawlRequest {
  return { passId, replyTo: `crawl:${passId}`, mode: 'delta', settings: settings({ messages }), ...over };
}

export function pageResult(
  outcome: CrawlPageResult['outcome'],
  over: Partial<CrawlPageResult> = {},
  counters: Partial<MessageCounters> = {},
): CrawlPageResult {
  return {
    outcome,
    counters: { ...emptyCounters(), ...counters },
    trailingItemFailures: 0,
    boundaryOverflowSeconds: [],
    ...over,
  };
}

/** Runs every page of the pass in progress with windowComplete outcomes. */
export function completeAll(state: MailboxCrawlState): void {
  for (let step = state.nextStep(); step.kind === 'page'; step = state.nextStep())
    state.applyPage(pageResult('windowComplete'));
}

/** Runs pass p1 to its end at `nowMs`: every window complete, both views' tokens at `nowMs`. */
export function crawlOnce(
  state: MailboxCrawlState,
  nowMs: number,
  options?: Parameters<MailboxCrawlState['beginPass']>[2],
): MailboxCrawlState {
  state.enqueue(crawlRequest('p1'));
  state.beginPass(nowMs, {}, options);
  completeAll(state);
  state.finishPass(nowMs);
  return state;
}
