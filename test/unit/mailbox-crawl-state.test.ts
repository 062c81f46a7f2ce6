// MailboxCrawlState without Temporal: queue, windows fixed at pass start, token advance only on a
// completed window, token restarts, halving, error budget, reports, carried state.
import { emptyCounters } from '../../common/message-counters';
import { MailboxCrawlState } from '../../workflows/mailbox-crawl-state';
import { MAX_PAGES_PER_WINDOW } from '../../workflows/view-cursor';
import { settings } from '../helpers/settings';
import {
  completeAll,
  crawlOnce,
  crawlRequest as request,
  mailboxIdentity,
  pageResult as page,
} from '../helpers/mailbox-state';

const identity = mailboxIdentity();
const now = Date.parse('2024-01-20T00:00:00Z');

describe('the request queue', () => {
  it('is first-in first-out and deduplicated by passId, also against the running and recent passes', () => {
    const state = new MailboxCrawlState(identity);
    expect(state.enqueue(request('p1'))).toBe(true);
    expect(state.enqueue(request('p2'))).toBe(true);
    expect(state.enqueue(request('p1'))).toBe(false);
    state.beginPass(now, {});
    expect(state.pass?.request.passId).toBe('p1');
    expect(state.enqueue(request('p1'))).toBe(false);
    completeAll(state);
    state.finishPass(now);
    expect(state.enqueue(request('p1'))).toBe(false);
    expect(state.peekRequest()?.passId).toBe('p2');
  });
});

describe('windows and tokens', () => {
  it('fixes 7-day windows per view at pass start, oldest first', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    const pass = state.beginPass(now, {});
    expect(pass.views.map((v) => v.view)).toEqual(['INBOX', 'SENT']);
    expect(pass.views[0].windows).toEqual([
      { start: '2024-01-01T00:00:00Z', end: '2024-01-08T00:00:00Z' },
      { start: '2024-01-08T00:00:00Z', end: '2024-01-15T00:00:00Z' },
      { start: '2024-01-15T00:00:00Z', end: '2024-01-20T00:00:00Z' },
    ]);
  });

  it('advances a view token to a window end only when the window completes, never on a mere page', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('page', { nextPageToken: 't2', lastReceived: '2024-01-07T00:00:00Z' }));
    expect(state.progress().tokens.INBOX).toBeUndefined();
    const step = state.nextStep();
    expect(step).toMatchObject({
      kind: 'page',
      pageToken: 't2',
      pageIndex: 1,
      previousLastReceived: '2024-01-07T00:00:00Z',
    });
    state.applyPage(page('windowComplete'));
    expect(state.progress().tokens.INBOX).toBe('2024-01-08T00:00:00Z');
    expect(state.nextStep()).toMatchObject({
      kind: 'page',
      pageIndex: 0,
      pageToken: undefined,
      previousLastReceived: undefined,
    });
  });

  it('uses the lower of token and watermark on the next pass, with the overlap', () => {
    const state = crawlOnce(new MailboxCrawlState(identity), now);
    state.enqueue(request('p2'));
    const pass = state.beginPass(Date.parse('2024-01-21T00:00:00Z'), {
      INBOX: '2024-01-15T00:00:00Z',
      SENT: '2024-01-20T00:00:00Z',
    });
    expect(pass.views[0].windows[0].start).toBe('2024-01-14T23:00:00Z');
    expect(pass.views[1].windows).toEqual([{ start: '2024-01-19T23:00:00Z', end: '2024-01-21T00:00:00Z' }]);
  });

  it('re-lists from startDate when the watermark is missing (dropped index)', () => {
    const state = crawlOnce(new MailboxCrawlState(identity), now);
    state.enqueue(request('p2'));
    const pass = state.beginPass(now, { SENT: '2024-01-20T00:00:00Z' });
    expect(pass.views[0].windows[0].start).toBe('2024-01-01T00:00:00Z');
    expect(pass.views[1].windows[0].start).toBe('2024-01-19T23:00:00Z');
  });

  it('adds the missing range first when startDate moved earlier, without lowering the token', () => {
    const state = crawlOnce(new MailboxCrawlState(identity), now);
    state.enqueue(request('p2', { settings: settings({ messages: { startDate: '2023-12-25' } }) }));
    const pass = state.beginPass(now, { INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    expect(pass.views[0].windows[0]).toEqual({ start: '2023-12-25T00:00:00Z', end: '2024-01-01T00:00:00Z' });
    expect(pass.views[0].windows[1].start).toBe('2024-01-19T23:00:00Z');
    state.applyPage(page('windowComplete'));
    expect(state.progress().tokens.INBOX).toBe('2024-01-20T00:00:00Z');
    completeAll(state);
    state.finishPass(now);
    state.enqueue(request('p3', { settings: settings({ messages: { startDate: '2023-12-25' } }) }));
    const next = state.beginPass(now, { INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    expect(next.views[0].windows[0].start).toBe('2024-01-19T23:00:00Z');
  });

  it('restarts a window after a rejected page token and fails the pass when it keeps being rejected', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    for (let i = 0; i < 3; i++) {
      state.applyPage(page('page', { nextPageToken: 'x' }));
      state.applyPage(page('pageTokenRejected'));
      expect(state.nextStep()).toMatchObject({ kind: 'page', pageIndex: 0, pageToken: undefined });
    }
    expect(state.pass?.counters.pageTokenRestarts).toBe(3);
    state.applyPage(page('pageTokenRejected'));
    expect(state.nextStep()).toMatchObject({
      kind: 'finish',
      outcome: { status: 'Failed', errorKind: 'mailbox' },
    });
  });

  it('halves a rejected window and fails on a rejected single second', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('windowRejected'));
    expect(state.nextStep()).toMatchObject({
      window: { start: '2024-01-01T00:00:00Z', end: '2024-01-04T12:00:00Z' },
    });
    expect(state.pass!.views[0].windows).toHaveLength(4);
    for (let i = 0; i < 40 && state.nextStep().kind === 'page'; i++) state.applyPage(page('windowRejected'));
    expect(state.nextStep()).toMatchObject({ kind: 'finish', outcome: { status: 'Failed' } });
    expect(state.progress().tokens.INBOX).toBeUndefined();
  });

  it('halves a window that runs to too many pages and lists it again from its first page', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    for (let i = 0; i < MAX_PAGES_PER_WINDOW - 1; i++)
      state.applyPage(page('page', { nextPageToken: `t${i}` }));
    expect(state.nextStep()).toMatchObject({ pageIndex: MAX_PAGES_PER_WINDOW - 1 });
    state.applyPage(page('page', { nextPageToken: 'last' }));
    expect(state.nextStep()).toMatchObject({
      kind: 'page',
      pageIndex: 0,
      pageToken: undefined,
      window: { start: '2024-01-01T00:00:00Z', end: '2024-01-04T12:00:00Z' },
    });
  });

  it('reports seconds that overflowed one page of 500', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('page', { nextPageToken: 'a', boundaryOverflowSeconds: ['2024-01-02T00:00:00Z'] }));
    state.applyPage(page('page', { nextPageToken: 'b', boundaryOverflowSeconds: ['2024-01-02T00:00:00Z'] }));
    state.cancel(undefined, 'enough');
    expect(state.finishPass(now).report.boundaryOverflowSeconds).toEqual(['2024-01-02T00:00:00Z']);
  });

  it('reconcile lists the whole range whatever the token and sweeps each completed view', () => {
    const state = crawlOnce(new MailboxCrawlState(identity), now);
    state.enqueue(request('p2', { mode: 'reconcile' }));
    state.beginPass(now, { INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    expect(state.nextStep()).toMatchObject({ kind: 'page', window: { start: '2024-01-01T00:00:00Z' } });
    for (let i = 0; i < 3; i++) state.applyPage(page('windowComplete'));
    expect(state.nextStep()).toEqual({ kind: 'sweep', view: 'INBOX' });
    state.applySweep('INBOX', 2);
    expect(state.nextStep()).toMatchObject({ kind: 'page', view: 'SENT' });
  });

  it('ignoreDeltaTokens turns a delta request into reconcile', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1', { settings: settings({ messages: { ignoreDeltaTokens: true } }) }));
    expect(state.beginPass(now, {}).mode).toBe('reconcile');
  });
});

describe('failures', () => {
  it('fails the pass after more than 10 consecutive item failures across pages, keeping the tokens', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('windowComplete', {}, { indexed: 5 }));
    state.applyPage(page('page', { nextPageToken: 'a', trailingItemFailures: 6 }, { indexed: 4, failed: 6 }));
    expect(state.nextStep().kind).toBe('page');
    state.applyPage(page('page', { nextPageToken: 'b', trailingItemFailures: 5 }, { failed: 5 }));
    const step = state.nextStep();
    expect(step).toMatchObject({ kind: 'finish', outcome: { status: 'Failed', errorKind: 'mailbox' } });
    expect(state.progress().tokens.INBOX).toBe('2024-01-08T00:00:00Z');
    const { report } = state.finishPass(now);
    expect(report.status).toBe('Failed');
    expect(report.error).toMatch(/11 consecutive/);
    expect(state.state.status).toBe('Failed');
  });

  it('a success in a page resets the run of failures', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('page', { nextPageToken: 'a', trailingItemFailures: 8 }, { failed: 8 }));
    state.applyPage(
      page('page', { nextPageToken: 'b', trailingItemFailures: 2 }, { failed: 9, indexed: 120 }),
    );
    expect(state.pass?.consecutiveItemFailures).toBe(2);
    expect(state.nextStep().kind).toBe('page');
  });

  it('fails the pass when more than 15 % of at least 50 items failed', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(
      page('page', { nextPageToken: 'a', trailingItemFailures: 0 }, { failed: 7, indexed: 33 }),
    );
    expect(state.nextStep().kind).toBe('page');
    state.applyPage(page('page', { nextPageToken: 'b', trailingItemFailures: 0 }, { failed: 2, indexed: 8 }));
    expect(state.nextStep()).toMatchObject({ kind: 'finish', outcome: { status: 'Failed' } });
  });

  it('retries recorded failures at the start of the next pass', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('windowComplete', {}, { failed: 1, indexed: 3 }));
    completeAll(state);
    state.finishPass(now);
    state.enqueue(request('p2'));
    state.beginPass(now, { INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    expect(state.nextStep()).toEqual({ kind: 'retryFailed' });
    state.applyRetry({ counters: { ...emptyCounters(), indexed: 1 }, remaining: 0 });
    expect(state.nextStep().kind).toBe('page');
    expect(state.state.failedOutstanding).toBe(0);
  });
});

describe('[I7] indexed but recorded items', () => {
  it('count as outstanding: oversize, unparseable and extraction-problem items are retried by the next pass', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.applyPage(page('windowComplete', {}, { indexed: 4, incomplete: 2, oversize: 1 }));
    completeAll(state);
    state.finishPass(now);
    state.enqueue(request('p2'));
    state.beginPass(now, { INBOX: '2024-01-20T00:00:00Z', SENT: '2024-01-20T00:00:00Z' });
    expect(state.nextStep()).toEqual({ kind: 'retryFailed' });
  });
});

describe('cancel, pause, stop and restart', () => {
  it('cancel ends the pass after the current page and drops its queued requests', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.enqueue(request('p2'));
    state.beginPass(now, {});
    expect(state.cancel('p2', 'user').map((r) => r.passId)).toEqual(['p2']);
    expect(state.nextStep().kind).toBe('page');
    state.cancel('p1', 'user');
    expect(state.nextStep()).toMatchObject({ kind: 'finish', outcome: { status: 'Cancelled' } });
  });

  it('pause and resume concern the current pass only', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.pause('other');
    expect(state.state.paused).toBe(false);
    state.pause('p1');
    expect(state.progress().paused).toBe(true);
    state.resume();
    expect(state.state.paused).toBe(false);
  });

  it('restart reuses the last request settings and reports to its pass under that pass id', () => {
    const state = new MailboxCrawlState(identity);
    expect(() => state.validateRestart({})).toThrow(/never been crawled/);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.failPass('boom', 'mailbox');
    state.finishPass(now);
    state.validateRestart({});
    expect(state.restart({}, undefined, now)).toEqual({ passId: 'p1', queuedBehind: 0 });
    expect(state.peekRequest()).toMatchObject({ passId: 'p1', replyTo: 'crawl:p1', mode: 'delta' });
    const other = state.restart({ replyTo: 'cli', mode: 'retryFailed' }, undefined, now);
    expect(other).toEqual({ passId: `restart-${now}`, queuedBehind: 1 });
  });

  it('stop drops the queue and is remembered by the workflow', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.enqueue(request('p2'));
    state.beginPass(now, {});
    expect(state.stop('deleting').map((r) => r.passId)).toEqual(['p2']);
    expect(state.stopRequested).toBe(true);
    expect(state.nextStep()).toMatchObject({ kind: 'finish', outcome: { status: 'Cancelled' } });
    expect(() => state.validateRestart({})).toThrow(/stopping/);
  });

  it('a stop requested before continue-as-new is carried to the next run', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    state.stop('deleting');
    const next = new MailboxCrawlState(identity, state.toCarried());
    expect(next.stopRequested).toBe(true);
    expect(next.stopReason).toBe('deleting');
    expect(next.nextStep()).toMatchObject({ kind: 'finish', outcome: { status: 'Cancelled' } });
    expect(() => next.validateRestart({})).toThrow(/stopping/);
  });
});

it('carries tokens, queue and the cursor of a pass through continue-as-new', () => {
  const state = new MailboxCrawlState(identity);
  state.enqueue(request('p1'));
  state.enqueue(request('p2'));
  state.beginPass(now, {});
  state.applyPage(page('windowComplete', {}, { indexed: 3 }));
  state.applyPage(
    page('page', { nextPageToken: 'tok', lastReceived: '2024-01-09T00:00:00Z' }, { indexed: 2 }),
  );
  const carried = JSON.parse(JSON.stringify(state.toCarried()));
  const next = new MailboxCrawlState(identity, carried);
  expect(next.nextStep()).toEqual(state.nextStep());
  expect(next.progress()).toEqual(state.progress());
  expect(next.peekRequest()?.passId).toBe('p2');
  expect(next.state.messagesIndexedTotal).toBe(5);
});

describe('adaptive windows (patch adaptive-windows)', () => {
  const longNow = Date.parse('2024-04-01T00:00:00Z');
  const listedWindows = (state: MailboxCrawlState, pagesPerWindow: (i: number) => number) => {
    const seen: string[] = [];
    for (let step = state.nextStep(); step.kind === 'page'; step = state.nextStep()) {
      if (step.view !== 'INBOX') break;
      if (step.pageIndex === 0) seen.push(`${step.window.start}..${step.window.end}`);
      const pages = pagesPerWindow(seen.length - 1);
      state.applyPage(page(step.pageIndex + 1 < pages ? 'page' : 'windowComplete', { nextPageToken: 't' }));
    }
    return seen;
  };

  it('merges the following sparse windows after a window that fit in one page, covering every second', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(longNow, {}, { adaptiveWindows: true });
    const seen = listedWindows(state, () => 1);
    // 13 fixed windows of 7 days become 1 + 2 + 4 + 6 windows' spans: four list calls instead of 13.
    expect(seen).toEqual([
      '2024-01-01T00:00:00Z..2024-01-08T00:00:00Z',
      '2024-01-08T00:00:00Z..2024-01-22T00:00:00Z',
      '2024-01-22T00:00:00Z..2024-02-19T00:00:00Z',
      '2024-02-19T00:00:00Z..2024-04-01T00:00:00Z',
    ]);
    expect(state.progress().tokens.INBOX).toBe('2024-04-01T00:00:00Z');
  });

  it('stops growing after a window that needed several pages', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(longNow, {}, { adaptiveWindows: true });
    const seen = listedWindows(state, (i) => (i === 1 ? 5 : 1));
    expect(seen.slice(0, 3)).toEqual([
      '2024-01-01T00:00:00Z..2024-01-08T00:00:00Z',
      '2024-01-08T00:00:00Z..2024-01-22T00:00:00Z',
      '2024-01-22T00:00:00Z..2024-01-29T00:00:00Z',
    ]);
  });

  it('keeps fixed windows without the patch (histories recorded before it replay unchanged)', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(longNow, {});
    expect(listedWindows(state, () => 1)).toHaveLength(13);
  });
});

describe('the steady coverage in the report (the next pass’s idle screen)', () => {
  it('is the token and coverage start of every view after a completed pass with nothing outstanding', () => {
    const state = new MailboxCrawlState(identity);
    state.enqueue(request('p1'));
    state.beginPass(now, {});
    completeAll(state);
    const { report } = state.finishPass(now);
    const progress = state.progress();
    expect(report.steady).toEqual({
      INBOX: { token: progress.tokens.INBOX, coveredFrom: expect.any(String) },
      SENT: { token: progress.tokens.SENT, coveredFrom: expect.any(String) },
    });
  });

  it('is absent while an item failure is outstanding, and after a failed pass', () => {
    const withFailure = new MailboxCrawlState(identity);
    withFailure.enqueue(request('p1'));
    withFailure.beginPass(now, {});
    withFailure.applyPage(page('windowComplete', {}, { failed: 1, indexed: 3 }));
    completeAll(withFailure);
    expect(withFailure.finishPass(now).report.steady).toBeUndefined();

    const failed = new MailboxCrawlState(identity);
    failed.enqueue(request('p1'));
    failed.beginPass(now, {});
    failed.failPass('listing failed', 'mailbox');
    expect(failed.finishPass(now).report.steady).toBeUndefined();
  });
});
