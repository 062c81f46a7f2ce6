// Messages shared between mailboxes (one sender, several recipients): the same message in several views.
import { SeededRandom } from './seeded-random';
import type { PresetPlan } from './presets';
import type { View } from './types';

export interface SharedEntry {
  timeSec: number;
  sender: number;
  recipients: number[];
}

/** The seeded pool of shared messages among the mailboxes that hold any message. */
export function buildSharedPool(
  plan: PresetPlan,
  seed: number,
  anchorSec: number,
  records: { idx: number; counts: Record<View, number> }[],
): SharedEntry[] {
  const pool: SharedEntry[] = [];
  const rnd = SeededRandom.of(seed, 'shared-pool');
  const live = records.filter((r) => r.counts.INBOX + r.counts.SENT > 0);
  if (live.length >= 2) {
    for (let k = 0; k < plan.sharedCount; k++) {
      const sender = live[rnd.int(live.length)].idx;
      const recipients = new Set<number>();
      const want = 1 + rnd.int(3);
      for (let t = 0; t < want * 3 && recipients.size < want; t++) {
        const r = live[rnd.int(live.length)].idx;
        if (r !== sender) recipients.add(r);
      }
      const timeSec = anchorSec - rnd.int(plan.spanDays * 86400);
      pool.push({ timeSec, sender, recipients: [...recipients] });
    }
  }
  return pool;
}
