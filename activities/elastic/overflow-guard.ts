// Reconcile's guard for boundary seconds that overflowed one page of 500 records: records of such a
// second may not all have been listed in this pass, so "not seen" would not mean "gone". A view
// that holds documents in any overflowed second is not swept in this pass (docs/architecture.md,
// Modes of a pass).
import type { Client } from '@elastic/elasticsearch';
import type { View } from '../../common/contracts';
import { indexNames } from '../../common/node/documents';

/** The overflowed seconds (ISO, to the second) in which the view holds documents. */
export async function overflowedSecondsOfView(
  es: Client,
  q: { prefix: string; source: string; mailbox: string; view: View; seconds: string[] },
): Promise<string[]> {
  const held: string[] = [];
  for (const second of q.seconds) {
    const response = await es.count({
      index: indexNames(q.prefix).messages,
      query: {
        bool: {
          filter: [
            { term: { source: q.source } },
            { term: { mailbox: q.mailbox } },
            { term: { view: q.view } },
            { range: { received: { gte: second, lte: second } } },
          ],
        },
      },
    });
    if (response.count > 0) held.push(second);
  }
  return held;
}
