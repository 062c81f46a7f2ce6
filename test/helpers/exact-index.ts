// The exact-index check of the mailbox suites: for each view, the ids indexed for the mailbox are
// exactly the simulator's ground truth — nothing lost, nothing doubled, nothing extra.
import { VIEWS, type View } from '../../common/contracts';

export interface IndexedAndExpected {
  indexedIds(mailbox: string, view: View): Promise<string[]>;
  expectedIds(mailbox: string, view: View): string[];
}

export async function expectExactIndex(
  h: IndexedAndExpected,
  mailbox: string,
  views: readonly View[] = VIEWS,
): Promise<void> {
  for (const view of views) expect(await h.indexedIds(mailbox, view)).toEqual(h.expectedIds(mailbox, view));
}
