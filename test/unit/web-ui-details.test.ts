import { emptyCounters, type PassProgress } from '../../common/contracts';
import {
  deletionWorkflowSummary,
  mailboxWorkflowSummary,
  passWorkflowSummary,
} from '../../common/workflow-summaries';
import { passDetails, PassFailureWatch } from '../../workflows/current-details';

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
