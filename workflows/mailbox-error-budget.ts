// The error budget of a mailbox pass: item failures in a row and the failure rate (docs/architecture.md,
// Error scopes). Changing a limit changes a replay's decisions: behind patched(), test/replay green.
import type { CrawlPageResult } from '../common/activity-contracts';
import type { PassCursor } from './mailbox-state-migration';

/** More consecutive item failures than this fail the mailbox pass (docs/architecture.md, Error scopes). */
export const MAX_CONSECUTIVE_ITEM_FAILURES = 10;
/** A failure rate above this, over at least `BUDGET_MIN_ITEMS` items, fails the pass (same section). */
export const MAX_ITEM_FAILURE_RATE = 0.15;
export const BUDGET_MIN_ITEMS = 50;

/** Counts a page's items and the run of failures that ends it. */
export function countItems(pass: PassCursor, result: CrawlPageResult): void {
  const c = result.counters;
  const items = c.indexed + c.skippedExisting + c.failed;
  pass.items += items;
  // A page with any success resets the run of failures to the failures after its last success.
  if (items > c.failed) pass.consecutiveItemFailures = result.trailingItemFailures;
  else pass.consecutiveItemFailures += c.failed;
}

/** Why the pass exceeds its error budget, if it does (the run of failures is checked first). */
export function budgetViolation(pass: PassCursor): string | undefined {
  if (pass.consecutiveItemFailures > MAX_CONSECUTIVE_ITEM_FAILURES) {
    return `error budget exceeded: ${pass.consecutiveItemFailures} consecutive item failures (more than ${MAX_CONSECUTIVE_ITEM_FAILURES})`;
  }
  const failed = pass.counters.failed;
  if (pass.items >= BUDGET_MIN_ITEMS && failed / pass.items > MAX_ITEM_FAILURE_RATE) {
    return `error budget exceeded: ${failed} of ${pass.items} items failed (more than ${MAX_ITEM_FAILURE_RATE * 100} %)`;
  }
  return undefined;
}
