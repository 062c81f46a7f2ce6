// The deletion guard of a pass (docs/architecture.md, Registry and deletion guard): deletion is never
// speculative. A pure decision, unit-tested without Temporal; its numbers shape which children a pass
// starts, so a new value goes behind patched().

/** Deletion guard: at most max(5, 10 %) of the known mailboxes (docs/architecture.md, Registry and deletion guard). */
export const DELETION_GUARD_MIN = 5;
export const DELETION_GUARD_FRACTION = 0.1;

export interface DeletionDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * Pure deletion guard (docs/architecture.md, Registry and deletion guard): never speculative;
 * confirmDeletions lifts the size limit, never an incomplete snapshot.
 */
export function decideDeletions(input: {
  complete: boolean;
  candidates: number;
  known: number;
  confirmed: boolean;
}): DeletionDecision {
  if (input.candidates === 0) return { allowed: false };
  if (!input.complete) {
    return {
      allowed: false,
      reason:
        'the directory snapshot was incomplete, so nothing is known to be gone; deletions wait for a complete snapshot',
    };
  }
  const limit = Math.max(DELETION_GUARD_MIN, Math.floor(input.known * DELETION_GUARD_FRACTION));
  if (input.candidates > limit && !input.confirmed) {
    return {
      allowed: false,
      reason: `${input.candidates} mailboxes would be deleted, more than the guard allows (max(${DELETION_GUARD_MIN}, 10 % of ${input.known}) = ${limit}); run crawl --confirm-deletions to perform them`,
    };
  }
  return { allowed: true };
}
