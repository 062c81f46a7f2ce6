// The carried mailbox state is versioned (docs/architecture.md, Versioning): older states get defaults, newer
// ones are refused.
import { emptyCounters } from '../../common/message-counters';
import {
  MAILBOX_STATE_VERSION,
  initialMailboxState,
  migrateMailboxState,
} from '../../workflows/mailbox-state-migration';

describe('migrateMailboxState', () => {
  it('starts from the initial state when nothing is carried', () => {
    expect(migrateMailboxState(undefined)).toEqual(initialMailboxState());
  });

  it('keeps every field of a current state', () => {
    const carried = {
      ...initialMailboxState(),
      coverage: { INBOX: { token: '2024-01-08T00:00:00Z', coveredFrom: '2024-01-01T00:00:00Z' } },
      messagesIndexedTotal: 42,
    };
    expect(migrateMailboxState(JSON.parse(JSON.stringify(carried)))).toEqual(carried);
  });

  it('fills fields an older build did not write, including counters of a pass in progress', () => {
    const migrated = migrateMailboxState({
      version: MAILBOX_STATE_VERSION,
      coverage: { SENT: { token: '2024-01-08T00:00:00Z' } },
      pass: { counters: { indexed: 3 } },
    } as never);
    expect(migrated.queue).toEqual([]);
    expect(migrated.failedOutstanding).toBe(0);
    expect(migrated.coverage.SENT?.token).toBe('2024-01-08T00:00:00Z');
    expect(migrated.pass?.counters).toEqual({ ...emptyCounters(), indexed: 3 });
  });

  it('refuses a state written by a newer build instead of dropping its tokens', () => {
    expect(() => migrateMailboxState({ version: MAILBOX_STATE_VERSION + 1 })).toThrow(
      /newer than this build/,
    );
  });

  it('refuses a state without a known migration path', () => {
    expect(() => migrateMailboxState({ version: 0 })).toThrow(/no migration/);
  });
});
