// Watermarks of docs/architecture.md, Tokens and windows in `<prefix>-state`: the end of the last window of a
// view whose every page was indexed, written with the window's last page (commitLast: after its documents).
import type { Client } from '@elastic/elasticsearch';
import { VIEWS, type View } from '../../common/contracts';
import { indexNames, type WatermarkDocument } from '../../common/node/documents';
import type { BulkOp } from './bulk-sink';
import { watermarkDocId } from './document-ids';

export async function readWatermarks(
  es: Client,
  q: { prefix: string; source: string; mailbox: string },
): Promise<Partial<Record<View, string>>> {
  const byMailbox = await readWatermarksOfMailboxes(es, { ...q, mailboxes: [q.mailbox] });
  return byMailbox.get(q.mailbox) ?? {};
}

/** The watermarks of many mailboxes in one multi-get (the pass's idle screen), by mailbox. */
export async function readWatermarksOfMailboxes(
  es: Client,
  q: { prefix: string; source: string; mailboxes: string[] },
): Promise<Map<string, Partial<Record<View, string>>>> {
  const byMailbox = new Map<string, Partial<Record<View, string>>>();
  if (!q.mailboxes.length) return byMailbox;
  const response = await es.mget<WatermarkDocument>({
    index: indexNames(q.prefix).state,
    ids: q.mailboxes.flatMap((mailbox) => VIEWS.map((view) => watermarkDocId(q.source, mailbox, view))),
  });
  for (const doc of response.docs) {
    if ('found' in doc && doc.found && doc._source && doc._source.source === q.source) {
      const watermarks = byMailbox.get(doc._source.mailbox) ?? {};
      watermarks[doc._source.view] = doc._source.watermark;
      byMailbox.set(doc._source.mailbox, watermarks);
    }
  }
  return byMailbox;
}

export function watermarkOp(
  prefix: string,
  w: { source: string; mailbox: string; view: View; watermark: string; passId: string; at: string },
): BulkOp {
  const doc: WatermarkDocument = {
    source: w.source,
    mailbox: w.mailbox,
    view: w.view,
    watermark: w.watermark,
    passId: w.passId,
    updatedAt: w.at,
  };
  return {
    action: 'index',
    index: indexNames(prefix).state,
    id: watermarkDocId(w.source, w.mailbox, w.view),
    doc,
    commitLast: true,
  };
}
