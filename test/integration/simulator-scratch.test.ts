import { Corpus } from '../../simulator/corpus';
import { encodeMessageId } from '../../simulator/opaque-ids';
it('perf', () => {
  const c = Corpus.fromPreset('huge-mailbox', 1, Date.now());
  let t0 = Date.now();
  const l = c.list({ mailbox: c.mailboxes()[0], view: 'INBOX', startSec: 0, endSec: 2e9, includeAliases: true, includeDelegates: false });
  console.log('list', Date.now() - t0);
  t0 = Date.now();
  for (let i = 0; i < 20000; i++) encodeMessageId({ kind: 'local', mailboxIdx: 0, view: 'INBOX', index: i });
  console.log('ids x20000', Date.now() - t0);
  t0 = Date.now();
  for (let i = 0; i < 20000; i++) c.specUnchecked(c.refFor(0, 'INBOX', l.refs[i]));
  console.log('specs x20000', Date.now() - t0);
  t0 = Date.now();
  for (let i = 0; i < 20000; i++) c.summary(c.specUnchecked(c.refFor(0, 'INBOX', l.refs[i])));
  console.log('summaries x20000', Date.now() - t0);
});
