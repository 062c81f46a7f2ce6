// PassState without Temporal: sliding window, registry paging, reports, liveness failures, guard.
import { type MailboxReport } from '../../common/contracts';
import { emptyCounters } from '../../common/message-counters';
import { type SnapshotScopeResult } from '../../common/activity-contracts';
import { decideDeletions } from '../../workflows/deletion-guard';
import { PassState } from '../../workflows/pass-state';
import { FAILED_MAILBOXES_CAP } from '../../workflows/pass-state-data';
import { migratePassState, toCarriedState } from '../../workflows/pass-state-migration';

const NOW = '2024-05-01T00:00:00Z';

function mb(i: number) {
  return { address: `u${i}@x.com`, mailboxKey: `u${i}@x.com`, domain: 'x.com' };
}

function snapshot(extra: Partial<SnapshotScopeResult> = {}): SnapshotScopeResult {
  return {
    complete: true,
    total: 10,
    inScope: 10,
    outOfScope: 0,
    previouslyKnown: 10,
    excludedByRule: {},
    notMailboxes: 0,
    problems: [],
    ...extra,
  };
}

function report(i: number, extra: Partial<MailboxReport> = {}): MailboxReport {
  return {
    passId: 'p1',
    address: `u${i}@x.com`,
    mailboxKey: `u${i}@x.com`,
    status: 'Completed',
    counters: { ...emptyCounters(), indexed: 3 },
    viewsCompleted: ['INBOX', 'SENT'],
    ...extra,
  };
}

function newState(): PassState {
  const s = PassState.create({ passId: 'p1', sourceId: 'src', mode: 'delta', startedAt: NOW });
  s.recordSnapshot(snapshot(), false);
  return s;
}

describe('PassState dispatch', () => {
  it('never has more mailboxes in flight than the window', () => {
    const s = newState();
    expect(s.needsRegistryPage(2)).toBe(true);
    s.addRegistryPage({ mailboxes: [mb(1), mb(2), mb(3)], nextSearchAfter: ['u3'] });
    expect(s.takeNext(2, NOW)?.address).toBe('u1@x.com');
    expect(s.takeNext(2, NOW)?.address).toBe('u2@x.com');
    expect(s.takeNext(2, NOW)).toBeUndefined();
    expect(s.inFlightCount).toBe(2);
    expect(s.applyReport(report(1))).toBe(true);
    expect(s.takeNext(2, NOW)?.address).toBe('u3@x.com');
    // the page is used up but the cursor has more: read the next page only when there is room
    expect(s.needsRegistryPage(2)).toBe(false);
    s.applyReport(report(2));
    expect(s.needsRegistryPage(2)).toBe(true);
  });

  it('marks a mailbox in flight when it is taken, before any dispatch', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)] });
    s.takeNext(4, NOW);
    expect(s.isInFlight('u1@x.com')).toBe(true);
    expect(s.progress().mailboxes).toMatchObject({ dispatched: 1, inFlight: 1 });
  });

  it('does not dispatch twice a mailbox that is still in flight when it shows up on a later page', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)], nextSearchAfter: ['u1'] });
    s.takeNext(4, NOW);
    s.addRegistryPage({ mailboxes: [mb(1), mb(2)] });
    expect(s.takeNext(4, NOW)?.address).toBe('u2@x.com');
    expect(s.takeNext(4, NOW)).toBeUndefined();
  });

  it('is done only when the registry is exhausted and every mailbox reported', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)] });
    expect(s.crawlDone()).toBe(false);
    s.takeNext(4, NOW);
    expect(s.crawlDone()).toBe(false);
    s.applyReport(report(1));
    expect(s.crawlDone()).toBe(true);
    expect(s.finish()).toBe('Completed');
    expect(s.progress().messages.indexed).toBe(3);
  });

  it('ignores reports for another pass and duplicate reports', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)] });
    s.takeNext(4, NOW);
    expect(s.applyReport(report(1, { passId: 'other' }))).toBe(false);
    expect(s.isInFlight('u1@x.com')).toBe(true);
    expect(s.applyReport(report(1))).toBe(true);
    expect(s.applyReport(report(1))).toBe(false);
    expect(s.progress().mailboxes.completed).toBe(1);
    expect(s.progress().messages.indexed).toBe(3);
  });

  it('counts failed mailboxes, keeps a capped list and ends CompletedWithFailures', () => {
    const s = newState();
    const many = Array.from({ length: FAILED_MAILBOXES_CAP + 5 }, (_, i) => mb(i));
    s.addRegistryPage({ mailboxes: many });
    while (s.takeNext(1000, NOW));
    for (let i = 0; i < many.length; i++) s.applyReport(report(i, { status: 'Failed', error: 'boom' }));
    const p = s.progress();
    expect(p.failedMailboxesTotal).toBe(FAILED_MAILBOXES_CAP + 5);
    expect(p.failedMailboxes).toHaveLength(FAILED_MAILBOXES_CAP);
    expect(p.failedMailboxes[0]).toMatchObject({ reason: 'boom', kind: 'mailbox' });
    expect(s.finish()).toBe('CompletedWithFailures');
  });

  it('records a mailbox that closed without reporting as failed (liveness check)', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)] });
    s.takeNext(4, NOW);
    expect(s.markFailed('u1@x.com', 'closed: TERMINATED')).toBe(true);
    expect(s.crawlDone()).toBe(true);
    expect(s.progress().failedMailboxes[0].reason).toBe('closed: TERMINATED');
    // a late report for it (after restart-mailbox, or a stuck one that moved again) moves it to done, once
    expect(s.applyReport(report(1))).toBe(true);
    expect(s.progress().mailboxes).toMatchObject({ completed: 1, failed: 0 });
    expect(s.applyReport(report(1))).toBe(false);
  });

  it('stops dispatching while paused and after a cancel, and ends Cancelled once drained', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1), mb(2), mb(3)] });
    s.takeNext(4, NOW);
    s.pause();
    expect(s.takeNext(4, NOW)).toBeUndefined();
    s.resume();
    expect(s.takeNext(4, NOW)?.address).toBe('u2@x.com');
    s.requestCancel('operator');
    expect(s.takeNext(4, NOW)).toBeUndefined();
    expect(s.crawlDone()).toBe(false);
    s.applyReport(report(1, { status: 'Cancelled' }));
    s.applyReport(report(2, { status: 'Cancelled' }));
    expect(s.crawlDone()).toBe(true);
    expect(s.startDeletionPhase()).toBe(false);
    expect(s.finish()).toBe('Cancelled');
  });

  it('a source error stops dispatching and fails the pass with its message', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1), mb(2)] });
    s.failSource('403 app_forbidden: give the app the Archive product');
    expect(s.takeNext(4, NOW)).toBeUndefined();
    expect(s.finish()).toBe('Failed');
    expect(s.progress().error).toMatch(/Archive product/);
  });
});

describe('deletion guard', () => {
  it('allows up to max(5, 10 %) of the known mailboxes', () => {
    expect(decideDeletions({ complete: true, candidates: 5, known: 10, confirmed: false }).allowed).toBe(
      true,
    );
    expect(decideDeletions({ complete: true, candidates: 6, known: 10, confirmed: false }).allowed).toBe(
      false,
    );
    expect(decideDeletions({ complete: true, candidates: 100, known: 1000, confirmed: false }).allowed).toBe(
      true,
    );
    expect(decideDeletions({ complete: true, candidates: 101, known: 1000, confirmed: false }).allowed).toBe(
      false,
    );
  });

  it('confirmDeletions lifts the size limit but never an incomplete snapshot', () => {
    expect(decideDeletions({ complete: true, candidates: 60, known: 100, confirmed: true }).allowed).toBe(
      true,
    );
    const incomplete = decideDeletions({ complete: false, candidates: 1, known: 100, confirmed: true });
    expect(incomplete.allowed).toBe(false);
    expect(incomplete.reason).toMatch(/incomplete/);
  });

  it('withholds and reports deletions over the guard', () => {
    const s = PassState.create({ passId: 'p1', sourceId: 'src', mode: 'delta', startedAt: NOW });
    s.recordSnapshot(snapshot({ total: 100, inScope: 40, outOfScope: 60, previouslyKnown: 100 }), false);
    const p = s.progress();
    expect(p.deletions).toMatchObject({ candidates: 60, performed: 0, withheld: 60 });
    expect(p.deletions.reason).toMatch(/--confirm-deletions/);
    expect(s.startDeletionPhase()).toBe(false);
  });

  it('runs the deletion phase over the out-of-scope registry with the same window', () => {
    const s = PassState.create({ passId: 'p1', sourceId: 'src', mode: 'delta', startedAt: NOW });
    s.recordSnapshot(snapshot({ total: 12, inScope: 10, outOfScope: 2, previouslyKnown: 12 }), false);
    s.addRegistryPage({ mailboxes: [] });
    expect(s.crawlDone()).toBe(true);
    expect(s.startDeletionPhase()).toBe(true);
    expect(s.data.cursor.scope).toBe('outOfScope');
    s.addRegistryPage({ mailboxes: [mb(8), mb(9)] });
    expect(s.takeNext(1, NOW)?.address).toBe('u8@x.com');
    expect(s.takeNext(1, NOW)).toBeUndefined();
    s.deletionFinished('u8@x.com', true);
    s.takeNext(1, NOW);
    s.deletionFinished('u9@x.com', false, 'es down');
    expect(s.crawlDone()).toBe(true);
    expect(s.progress().deletions).toMatchObject({ performed: 1 });
    expect(s.finish()).toBe('CompletedWithFailures');
  });
});

describe('carried state', () => {
  it('round-trips through continue-as-new with the in-flight set and counters', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1), mb(2)], nextSearchAfter: ['u2'] });
    s.takeNext(4, NOW);
    s.applyReport(report(9, { passId: 'p1' })); // not in flight: ignored
    const carried = JSON.parse(JSON.stringify(toCarriedState(s.data)));
    const again = new PassState(migratePassState(carried));
    expect(again.isInFlight('u1@x.com')).toBe(true);
    expect(again.data.cursor.searchAfter).toEqual(['u2']);
    expect(again.takeNext(4, NOW)?.address).toBe('u2@x.com');
    again.applyReport(report(1));
    expect(again.progress().messages.indexed).toBe(3);
  });

  it('refuses a state version it does not know', () => {
    expect(() => migratePassState({ version: 99 })).toThrow(/version 99/);
  });
});

describe('[I6] boundary seconds that overflowed one page of 500', () => {
  it('are named in the pass report, per mailbox', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1), mb(2)], nextSearchAfter: undefined });
    s.takeNext(2, NOW);
    s.takeNext(2, NOW);
    s.applyReport(report(1, { boundaryOverflowSeconds: ['2024-04-02T10:00:00Z'] }));
    s.applyReport(report(2));
    expect(s.progress().boundaryOverflow).toEqual([
      { address: 'u1@x.com', seconds: ['2024-04-02T10:00:00Z'] },
    ]);
  });
});

describe('PassState liveness of running mailboxes', () => {
  it('counts consecutive checks without progress, resets on progress, and counts nothing while paused', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1)] });
    s.takeNext(5, NOW);
    expect(s.observeProgress('u1@x.com', 'events=10')).toBe(0);
    expect(s.observeProgress('u1@x.com', 'events=10')).toBe(1);
    expect(s.observeProgress('u1@x.com', 'events=10')).toBe(2);
    expect(s.observeProgress('u1@x.com', 'events=12')).toBe(0);
    expect(s.observeProgress('u1@x.com', 'events=12')).toBe(1);
    s.pause();
    expect(s.observeProgress('u1@x.com', 'events=12')).toBe(0);
    s.resume();
    expect(s.observeProgress('u1@x.com', 'events=12')).toBe(1);
    // carried through continue-as-new
    const next = new PassState(migratePassState(toCarriedState(s.data)));
    expect(next.observeProgress('u1@x.com', 'events=12')).toBe(2);
    expect(next.observeProgress('u9@x.com', 'events=1')).toBe(0);
  });
});

describe('PassState reports of restarted mailboxes', () => {
  it('moves a failed mailbox to completed when it reports done again under this pass (restart-mailbox)', () => {
    const s = newState();
    s.addRegistryPage({ mailboxes: [mb(1), mb(2)] });
    s.takeNext(5, NOW);
    s.takeNext(5, NOW);
    expect(s.applyReport(report(1, { status: 'Failed', error: 'pages kept failing' }))).toBe(true);
    expect(s.markFailed('u2@x.com', 'closed')).toBe(true);
    expect(s.progress().mailboxes).toMatchObject({ completed: 0, failed: 2 });

    const next = new PassState(migratePassState(toCarriedState(s.data)));
    expect(next.applyReport(report(1, { status: 'Failed', error: 'still failing' }))).toBe(true);
    expect(next.progress().failedMailboxes[0]?.reason).toBe('still failing');
    expect(next.applyReport(report(1))).toBe(true);
    const progress = next.progress();
    expect(progress.mailboxes).toMatchObject({ completed: 1, failed: 1 });
    expect(progress.failedMailboxesTotal).toBe(1);
    expect(progress.failedMailboxes.map((f) => f.mailboxKey)).toEqual(['u2@x.com']);
    expect(progress.messages.indexed).toBe(9);
    // Counted once: a repeated report, or one of a mailbox this pass never failed, changes nothing.
    expect(next.applyReport(report(1))).toBe(false);
    expect(next.applyReport(report(3))).toBe(false);
    next.finish();
    expect(next.applyReport(report(2))).toBe(false);
  });
});
