import { type MailboxProgress, type PassProgress } from '../../common/contracts';
import { emptyCounters } from '../../common/message-counters';
import {
  deletionWorkflowSummary,
  mailboxWorkflowSummary,
  passWorkflowSummary,
} from '../../common/workflow-summaries';
import { passDetails, PassFailureWatch } from '../../workflows/current-details';
import {
  formatWindow,
  mailboxDetails,
  MailboxErrorWatch,
  pageSummary,
} from '../../workflows/mailbox-details';

function progress(overrides: Partial<PassProgress> = {}): PassProgress {
  return {
    passId: 'p',
    sourceId: 'demo',
    status: 'Crawling',
    mode: 'delta',
    paused: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    mailboxes: { total: 1200, dispatched: 20, inFlight: 8, completed: 10, failed: 2 },
    messages: { ...emptyCounters(), indexed: 12345, failed: 3 },
    deletions: { candidates: 0, performed: 0, withheld: 0 },
    failedMailboxes: [],
    failedMailboxesTotal: 0,
    ...overrides,
  };
}

describe('Web UI summaries', () => {
  it('names the pass, the mailbox by its key, and the deletion', () => {
    expect(passWorkflowSummary('demo', 'delta')).toBe('Pass of source demo (delta)');
    expect(mailboxWorkflowSummary('demo', 'k-1a2b')).toBe('Mailbox k-1a2b of source demo');
    expect(deletionWorkflowSummary('demo', 'k-1a2b')).toBe('Deletion of mailbox k-1a2b of source demo');
  });
});

describe('pass current details', () => {
  it('states each phase with its counts', () => {
    expect(passDetails('start', progress({ status: 'Enumerating' }))).toBe(
      'Phase: enumerating mailboxes\nMailboxes: 1,200 total, 10 completed, 2 failed\nMessages: 12,345 indexed, 3 failed',
    );
    expect(passDetails('crawl', progress({ paused: true })).split('\n')[0]).toBe(
      'Phase: crawling 12 of 1,200 mailboxes (8 in flight), paused',
    );
    expect(
      passDetails('delete', progress({ deletions: { candidates: 4, performed: 1, withheld: 0 } })).split(
        '\n',
      )[0],
    ).toBe('Phase: deleting 1 of 4 mailboxes');
    expect(passDetails('done', progress({ status: 'CompletedWithFailures' })).split('\n')[0]).toBe(
      'Phase: done (CompletedWithFailures)',
    );
  });

  it('keeps the last failure with the workflow time it was seen', () => {
    const watch = new PassFailureWatch();
    expect(watch.observe(progress(), 't0')).toBeUndefined();
    const failed = progress({
      failedMailboxes: [{ address: 'a@x', mailboxKey: 'k1', reason: 'token revoked', kind: 'mailbox' }],
      failedMailboxesTotal: 1,
    });
    const last = watch.observe(failed, 't1');
    expect(last).toEqual({ what: 'mailbox k1', reason: 'token revoked', at: 't1' });
    // Seen already: the time does not move.
    expect(watch.observe(failed, 't2')?.at).toBe('t1');
    expect(passDetails('crawl', failed, last).split('\n')[3]).toBe(
      'Last failure: mailbox k1 at t1: token revoked',
    );
    expect(watch.observe(progress({ ...failed, error: 'directory gone' }), 't3')).toEqual({
      what: 'source',
      reason: 'directory gone',
      at: 't3',
    });
  });

  it('never names an address', () => {
    const failed = progress({
      failedMailboxes: [{ address: 'alice@example.com', mailboxKey: 'k1', reason: 'r', kind: 'mailbox' }],
      failedMailboxesTotal: 1,
    });
    const watch = new PassFailureWatch();
    expect(passDetails('crawl', failed, watch.observe(failed, 't'))).not.toContain('alice');
  });
});

describe('mailbox current details and activity summaries', () => {
  function mailbox(overrides: Partial<MailboxProgress> = {}): MailboxProgress {
    return {
      address: 'alice@example.com',
      status: 'Running',
      currentPassId: 'crawl:demo@run',
      mode: 'delta',
      windowsDone: 2,
      windowsTotal: 12,
      pagesDone: 5,
      tokens: {},
      queued: 0,
      paused: false,
      counters: { ...emptyCounters(), indexed: 1500, failed: 1 },
      messagesIndexedTotal: 20000,
      ...overrides,
    };
  }
  const window = { start: '2024-03-01T00:00:00.000Z', end: '2024-03-08T00:00:00.000Z' };
  const page = {
    kind: 'page' as const,
    view: 'INBOX' as const,
    window,
    pageIndex: 2,
    watermarkOnLastPage: true,
  };

  it('summarises a page as view, window and page number', () => {
    expect(pageSummary('INBOX', window, 2)).toBe('INBOX 2024-03-01…03-08 page 3');
    expect(formatWindow({ start: '2024-12-28T00:00:00.000Z', end: '2025-01-04T00:00:00.000Z' })).toBe(
      '2024-12-28…2025-01-04',
    );
    expect(formatWindow({ start: '2024-03-01T06:00:00.000Z', end: '2024-03-01T12:30:00.000Z' })).toBe(
      '2024-03-01 06:00…03-01 12:30',
    );
  });

  it('states the page being crawled and the counts of the pass so far', () => {
    expect(mailboxDetails(mailbox(), page)).toBe(
      [
        'Crawling INBOX 2024-03-01…03-08 page 3 (delta pass)',
        'This pass: window 3 of 12, 5 pages, 1,500 messages indexed, 1 failed',
        'Messages indexed in all: 20,000',
      ].join('\n'),
    );
    expect(mailboxDetails(mailbox(), { kind: 'sweep', view: 'SENT' }).split('\n')[0]).toBe(
      'Sweeping SENT: removing messages the archive no longer lists (delta pass)',
    );
  });

  it('states idle between passes with the last outcome, and the last error with its time', () => {
    const watch = new MailboxErrorWatch();
    const idle = mailbox({ currentPassId: undefined, status: 'Failed', lastError: 'token revoked' });
    expect(mailboxDetails(idle, undefined, watch.observe(idle.lastError, 't1'))).toBe(
      [
        'Idle: waiting for the next pass (last: Failed)',
        'Messages indexed in all: 20,000',
        'Last error at t1: token revoked',
      ].join('\n'),
    );
    // The same error later keeps its first time; a new one takes the new time.
    expect(watch.observe('token revoked', 't2')?.at).toBe('t1');
    expect(watch.observe('HTTP 500', 't3')).toEqual({ message: 'HTTP 500', at: 't3' });
  });
});
