// Bulk throughput of the sink on this machine: message-sized documents (4 KB body, the fields of
// docs/architecture.md, Index contract) through BulkSink into the real Elasticsearch. Prints docs/s; asserts
// nothing is lost.
import { Client } from '@elastic/elasticsearch';
import { indexNames, type MessageDocument } from '../../common/node/documents';
import { BulkSink, type BulkOp } from '../../activities/elastic/bulk-sink';
import { messageDocId } from '../../activities/elastic/document-ids';
import { ensureIndexTemplates, removeIndexTemplates } from '../../activities/elastic/index-templates';

jest.setTimeout(120_000);

const PREFIX = `t-elastic-throughput-${process.pid}`;
const es = new Client({ node: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200' });
const COUNT = 4000;
const WORDS = [
  'budget',
  'invoice',
  'roadmap',
  'meeting',
  'contract',
  'forecast',
  'minutes',
  'audit',
  'quarterly',
  'plan',
];

function message(i: number): { id: string; doc: MessageDocument } {
  const mailbox = `user${i % 20}@example.com`;
  const body = Array.from({ length: 600 }, (_, w) => WORDS[(i * 7 + w) % WORDS.length]).join(' ');
  const doc: MessageDocument = {
    source: 'bench',
    domain: 'example.com',
    mailbox,
    view: 'INBOX',
    mimecastId: `eNpV${'x'.repeat(80)}${i}`,
    internetMessageId: `<m${i}@example.com>`,
    subject: `Subject ${i} ${WORDS[i % WORDS.length]}`,
    from: { address: 'bob@example.com', name: 'Bob' },
    to: [{ address: mailbox, name: 'User' }],
    cc: [],
    received: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
    size: 6000 + i,
    body,
    bodyTruncated: false,
    attachmentCount: 0,
    attachmentNames: [],
    context: 'RECEIVED',
    acl: [mailbox],
    metadataOnly: false,
    lastSeenPass: 'p1',
    indexedAt: new Date().toISOString(),
  };
  return { id: messageDocId({ source: 'bench', mailbox, view: 'INBOX', mimecastId: doc.mimecastId }), doc };
}

beforeAll(async () => {
  await ensureIndexTemplates(es, PREFIX);
});
afterAll(async () => {
  await removeIndexTemplates(es, PREFIX);
  await es.close();
});

test(`indexes ${COUNT} message-sized documents and reports docs/s`, async () => {
  const index = indexNames(PREFIX).messages;
  const ops: BulkOp[] = Array.from({ length: COUNT }, (_, i) => {
    const m = message(i);
    return { action: 'index', index, id: m.id, doc: m.doc };
  });
  const bytes = ops.reduce((n, op) => n + JSON.stringify((op as { doc: object }).doc).length, 0);
  const sink = new BulkSink(es);
  // Pages of 100, as crawlPage sends them, one after the other.
  const started = Date.now();
  for (let i = 0; i < ops.length; i += 100) {
    const result = await sink.write(ops.slice(i, i + 100));
    expect(result.failed).toEqual([]);
  }
  const pagedMs = Date.now() - started;
  // The same documents in one write (the sink splits by bytes, 2 requests in flight).
  const startedBatch = Date.now();
  expect((await sink.write(ops)).failed).toEqual([]);
  const batchMs = Date.now() - startedBatch;
  await es.indices.refresh({ index });
  expect((await es.count({ index })).count).toBe(COUNT);
  const rate = (ms: number) => Math.round((COUNT / ms) * 1000);
  console.log(
    `bulk throughput: ${COUNT} docs of ${Math.round(bytes / COUNT)} B — pages of 100: ${rate(pagedMs)} docs/s; ` +
      `one write (5 MB requests, concurrency 2): ${rate(batchMs)} docs/s`,
  );
  expect(rate(pagedMs)).toBeGreaterThan(100);
});
