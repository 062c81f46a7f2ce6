// What a pass carries across continue-as-new (PassStateData) and the shapes inside it: small by
// construction (one registry page and the in-flight window). Versioned with a pure migration
// (workflows/pass-state-migration.ts, docs/architecture.md, Versioning).
import type { BoundaryOverflow, FailedMailbox, PassMode, PassStatus } from '../common/contracts';
import type { MessageCounters } from '../common/message-counters';
import type { RegistryMailbox } from '../common/activity-contracts';

export const PASS_STATE_VERSION = 1;
/** The failed list is capped so the state (and every continue-as-new payload) stays small. */
export const FAILED_MAILBOXES_CAP = 100;
/**
 * Keys of mailboxes this pass recorded as failed, kept (up to this many) so a mailbox restarted
 * with restart-mailbox, which reports under this pass's id, moves from failed to done.
 */
export const FAILED_KEYS_CAP = 1_000;
export type PassPhase = 'start' | 'crawl' | 'delete' | 'finish' | 'done';
export type RegistryScope = 'inScope' | 'outOfScope';

export interface InFlightMailbox extends RegistryMailbox {
  /** Workflow time when it was dispatched (ISO). */
  since: string;
  /** The progress mark its workflow showed at the last liveness check. */
  progressMark?: string;
  /** Consecutive liveness checks that found the same mark. */
  checksWithoutProgress?: number;
}

export interface RegistryCursor {
  scope: RegistryScope;
  searchAfter?: (string | number)[];
  exhausted: boolean;
}

/** Everything a pass carries across continue-as-new; small by construction (one registry page + the window). */
export interface PassStateData {
  version: typeof PASS_STATE_VERSION;
  passId: string;
  sourceId: string;
  mode: PassMode;
  startedAt: string;
  phase: PassPhase;
  status: PassStatus;
  paused: boolean;
  cancelRequested: boolean;
  cancelReason?: string;
  error?: string;
  snapshot?: {
    complete: boolean;
    total: number;
    inScope: number;
    outOfScope: number;
    previouslyKnown: number;
  };
  cursor: RegistryCursor;
  /** The rest of the current registry page, not yet dispatched. */
  pending: RegistryMailbox[];
  inFlight: Record<string, InFlightMailbox>;
  /** `idle` (in `completed` too): left out by the idle screen; absent in states of older builds. */
  mailboxes: { dispatched: number; completed: number; failed: number; idle?: number };
  messages: MessageCounters;
  failedMailboxes: FailedMailbox[];
  failedMailboxesTotal: number;
  /** Absent in states carried by older builds. */
  failedKeys?: string[];
  /** Absent in state carried from older runs. */
  boundaryOverflow?: BoundaryOverflow[];
  deletions: {
    candidates: number;
    performed: number;
    withheld: number;
    failed: number;
    reason?: string;
    allowed: boolean;
  };
}
