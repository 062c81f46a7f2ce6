// The steady-state fast path's decisions without Temporal: which passes probe and which windows,
// how probed pages are applied, which search attributes changed, when a run continues-as-new.
import { TypedSearchAttributes } from '@temporalio/common';
import { CrawlStatus, MessagesIndexed, MimecastLastPassAt } from '../../common/search-attributes';
import { MailboxCrawlState } from '../../workflows/mailbox-crawl-state';
import {
  DEFAULT_CONTINUE_AS_NEW_BETWEEN_PASSES_AFTER_EVENTS,
  changedSearchAttributes,
  continueAsNewBetweenPasses,
  probedViews,
} from '../../workflows/steady-state';
import {
  crawlOnce,
  crawlRequest as request,
  mailboxIdentity,
  pageResult as page,
} from '../helpers/mailbox-state';

const identity = mailboxIdentity('a@example.com');
const first = Date.parse('2024-01-20T00:00:00Z');
const hourLater = first + 3_600_000;

/** A mailbox whose first pass completed at `first` (tokens of both views = first). */
function crawledOnce(): MailboxCrawlState {
  return crawlOnce(new MailboxCrawlState(identity), first, { adaptiveWindows: true });
}

/** The probe's views for pass p2 an hour later, then p2 begun with these watermarks. */
function secondPass(watermarks: Record<string, string>) {
  const state = crawledOnce();
  const views = probedViews(state.state, request('p2'), hourLater, 7)!;
  state.enqueue(request('p2'));
  state.beginPass(hourLater, watermarks);
  return { state, views };
}

describe('probedViews', () => {
  it('plans the first window of each view from the tokens, overlap included', () => {
    const views = probedViews(crawledOnce().state, request('p2'), hourLater, 7);
    expect(views).toEqual([
      {
        view: 'INBOX',
        token: '2024-01-20T00:00:00Z',
        window: { start: '2024-01-19T23:00:00Z', end: '2024-01-20T01:00:00Z' },
      },
      {
        view: 'SENT',
        token: '2024-01-20T00:00:00Z',
        window: { start: '2024-01-19T23:00:00Z', end: '2024-01-20T01:00:00Z' },
      },
    ]);
  });

  it('does not probe a first crawl, a reconcile, a content refetch, recorded failures to retry, or an earlier startDate', () => {
    expect(probedViews(new MailboxCrawlState(identity).state, request('p1'), first, 7)).toBeUndefined();
    const state = crawledOnce();
    expect(probedViews(state.state, request('p2', { mode: 'reconcile' }), hourLater, 7)).toBeUndefined();
    expect(probedViews(state.state, request('p2', { refetchContent: true }), hourLater, 7)).toBeUndefined();
    expect(
      probedViews(state.state, request('p2', {}, { ignoreDeltaTokens: true }), hourLater, 7),
    ).toBeUndefined();
    expect(
      probedViews(state.state, request('p2', {}, { startDate: '2023-06-01' }), hourLater, 7),
    ).toBeUndefined();
    state.state.failedOutstanding = 1;
    expect(probedViews(state.state, request('p2'), hourLater, 7)).toBeUndefined();
  });
});

describe('applyProbedPages', () => {
  it('finishes a pass whose probed views completed on their first page, with the tokens moved', () => {
    const { state, views } = secondPass({ INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    state.applyProbedPages(views, { INBOX: page('windowComplete'), SENT: page('windowComplete') });
    expect(state.nextStep().kind).toBe('finish');
    const { report } = state.finishPass(hourLater);
    expect(report).toMatchObject({ status: 'Completed', viewsCompleted: ['INBOX', 'SENT'] });
    expect(state.progress().tokens).toEqual({ INBOX: '2024-01-20T01:00:00Z', SENT: '2024-01-20T01:00:00Z' });
  });

  it('leaves a view that was not probed to the page crawl, and continues a probed view from its next page', () => {
    const { state, views } = secondPass({ INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    state.applyProbedPages(views, { SENT: page('page', { nextPageToken: 't2' }) });
    expect(state.nextStep()).toMatchObject({ kind: 'page', view: 'INBOX', pageIndex: 0 });
    state.applyPage(page('windowComplete'));
    expect(state.nextStep()).toMatchObject({ kind: 'page', view: 'SENT', pageIndex: 1, pageToken: 't2' });
  });

  it('ignores a probed page when a lower watermark re-planned the view (index restored)', () => {
    const { state, views } = secondPass({ INBOX: '2024-01-10T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    state.applyProbedPages(views, { INBOX: page('windowComplete'), SENT: page('windowComplete') });
    expect(state.nextStep()).toMatchObject({
      kind: 'page',
      view: 'INBOX',
      window: { start: '2024-01-09T23:00:00Z' },
    });
  });
});

describe('search attributes and continue-as-new between passes', () => {
  it('keeps only the pairs whose value changed (dates by time)', () => {
    const current = new TypedSearchAttributes([
      { key: CrawlStatus, value: 'Completed' },
      { key: MessagesIndexed, value: 5 },
      { key: MimecastLastPassAt, value: new Date(first) },
    ]);
    expect(
      changedSearchAttributes(current, [
        { key: CrawlStatus, value: 'Completed' },
        { key: MessagesIndexed, value: 5 },
        { key: MimecastLastPassAt, value: new Date(first) },
      ]),
    ).toEqual([]);
    expect(
      changedSearchAttributes(current, [
        { key: CrawlStatus, value: 'Completed' },
        { key: MessagesIndexed, value: 6 },
        { key: MimecastLastPassAt, value: new Date(hourLater) },
      ]).map((p) => p.key.name),
    ).toEqual([MessagesIndexed.name, MimecastLastPassAt.name]);
  });

  it('continues-as-new when the history reached the threshold or the server suggests it; 0 = every pass', () => {
    const limit = DEFAULT_CONTINUE_AS_NEW_BETWEEN_PASSES_AFTER_EVENTS;
    expect(continueAsNewBetweenPasses(limit - 1, false)).toBe(false);
    expect(continueAsNewBetweenPasses(limit, false)).toBe(true);
    expect(continueAsNewBetweenPasses(20, true)).toBe(true);
    expect(continueAsNewBetweenPasses(20, false, 0)).toBe(true);
  });
});
