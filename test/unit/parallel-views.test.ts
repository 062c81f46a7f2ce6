// Pages of both views at once (workflows/parallel-views.ts): which page runs beside the current view's,
// and that applying it moves only its own view's cursor, with the report's views in view order.
import { companionPage, type PageStep } from '../../workflows/parallel-views';
import { MailboxCrawlState } from '../../workflows/mailbox-crawl-state';
import { crawlRequest, mailboxIdentity, pageResult } from '../helpers/mailbox-state';

const NOW = Date.parse('2026-03-01T00:00:00Z');

function started(): MailboxCrawlState {
  const state = new MailboxCrawlState(mailboxIdentity());
  state.enqueue(crawlRequest('p1', {}, { startDate: '2026-02-01T00:00:00Z' }));
  state.beginPass(NOW, {});
  return state;
}

describe('pages of both views at once', () => {
  it('pairs the current INBOX page with the next SENT page, and none once SENT is done', () => {
    const state = started();
    const step = state.nextStep() as PageStep;
    expect(step).toMatchObject({ kind: 'page', view: 'INBOX', pageIndex: 0 });
    const sent = companionPage(state.pass!, step);
    expect(sent).toMatchObject({ kind: 'page', view: 'SENT', pageIndex: 0, window: step.window });

    // SENT pages and completes its windows beside INBOX; INBOX's cursor does not move.
    state.applyPageOf('SENT', pageResult('page', { nextPageToken: 't1' }));
    expect(companionPage(state.pass!, step)).toMatchObject({ view: 'SENT', pageIndex: 1, pageToken: 't1' });
    while (companionPage(state.pass!, step)) state.applyPageOf('SENT', pageResult('windowComplete'));
    expect(state.nextStep()).toEqual(step);
    expect(state.pass!.viewsCompleted).toEqual(['SENT']);

    // INBOX alone from here; SENT is not listed again, and the report names the views in view order.
    for (let s = state.nextStep(); s.kind === 'page'; s = state.nextStep()) {
      expect(s.view).toBe('INBOX');
      expect(companionPage(state.pass!, s)).toBeUndefined();
      state.applyPage(pageResult('windowComplete'));
    }
    expect(state.finishPass(NOW).report).toMatchObject({
      status: 'Completed',
      viewsCompleted: ['INBOX', 'SENT'],
    });
  });

  it('counts both pages of a pair in the pass', () => {
    const state = started();
    state.applyPage(pageResult('page', { nextPageToken: 'a' }, { indexed: 3 }));
    state.applyPageOf('SENT', pageResult('page', { nextPageToken: 'b' }, { indexed: 2 }));
    expect(state.pass!.counters.indexed).toBe(5);
    expect(state.pass!.pagesDone).toBe(2);
  });
});
