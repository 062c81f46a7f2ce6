// The Elasticsearch layer against the real node (127.0.0.1:9200): templates, a page of simulator
// messages indexed twice (same documents), filters and defaults, attachment text, a hostile
// attachment recorded without stopping the page, rejected documents recorded as failures,
// watermarks, registry paging, the reconcile sweep, mailbox deletion and pass reports.
import { Client } from '@elastic/elasticsearch';
import { indexNames } from '../../common/node/documents';
import type { SourceSettings } from '../../common/settings';
import { emptyCounters } from '../../common/message-counters';
import { BulkSink, type BulkOp } from '../../activities/elastic/bulk-sink';
import { messageDocId } from '../../activities/elastic/document-ids';
import { indexMessageOps, markSeenOp } from '../../activities/elastic/document-ops';
import { findExistingMessageIds, scanMessageIds } from '../../activities/elastic/existing-ids';
import {
  clearFailedItemOp,
  listFailedItems,
  recordFailedItemOp,
} from '../../activities/elastic/failed-items';
import { ensureIndexTemplates, removeIndexTemplates } from '../../activities/elastic/index-templates';
import { deleteMailboxDocuments } from '../../activities/elastic/mailbox-deletion';
import { readPassReport, writePassReportDocument } from '../../activities/elastic/pass-reports';
import {
  countRegistry,
  getRegistryEntry,
  markUnseenMailboxesGone,
  readRegistryPage,
  registryUpsertOp,
  updateRegistryStatus,
} from '../../activities/elastic/registry';
import { deleteStaleAttachments, sweepUnseenMessages } from '../../activities/elastic/sweep';
import { readWatermarks, watermarkOp } from '../../activities/elastic/watermarks';
import { ExtractionPool } from '../../activities/extract/extraction-pool';
import { parseRfc822 } from '../../activities/extract/mime-parser';
import {
  buildAttachmentDocuments,
  buildMessageDocument,
  describeExtractionProblems,
  extractAttachmentTexts,
  selectAttachments,
  type MessageListRecord,
} from '../../activities/extract/message-document';
import { attachmentPayload } from '../../simulator/attachment-factory';
import { buildPdf } from '../../simulator/document-builders';
import { buildRfc822 } from '../../simulator/message-builder';
import type { AttachmentSpec, MessageSpec } from '../../simulator/message-spec';
import { settings as testSettings } from '../helpers/settings';

jest.setTimeout(120_000);

const PREFIX = `t-elastic-sink-${process.pid}`;
const names = indexNames(PREFIX);
const es = new Client({ node: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200' });
let pool: ExtractionPool;

function settings(sourceId: string, overrides: Record<string, unknown> = {}): SourceSettings {
  return testSettings(overrides, { sourceId, index: { prefix: PREFIX } });
}

function spec(n: number, attachments: AttachmentSpec[], overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    ref: { kind: 'local', mailboxIdx: 0, view: 'INBOX', index: n },
    id: `msg-${n}`,
    receivedSec: 1_704_272_000 + n * 60,
    subject: `Subject ${n}`,
    from: { emailAddress: 'bob@example.com', displayableName: 'Bob' },
    to: [{ emailAddress: 'alice@example.com', displayableName: 'Alice' }],
    cc: [],
    replyTo: null,
    envelopeFrom: null,
    body: 'both',
    structure: 'mixed',
    attachments,
    expired: false,
    recalled: false,
    read: false,
    toAlias: null,
    marker: `bodymarker${n}x`,
    sizeEstimate: 1000,
    ...overrides,
  };
}

function listRecord(s: MessageSpec): MessageListRecord {
  return {
    id: `mc-${s.id}`,
    subject: s.subject,
    from: s.from,
    to: s.to,
    received: new Date(s.receivedSec * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, '+0000')
      .replace('Z', '+0000'),
    size: 1000,
    attachmentCount: s.attachments.length,
    expired: false,
    recalled: false,
  };
}

interface PageResult {
  ops: BulkOp[];
  problems: { mimecastId: string; reason: string }[];
}

/** What crawlPage does for one page: parse, filter, extract, build, one bulk request with the watermark. */
async function buildPage(
  s: SourceSettings,
  mailbox: string,
  specs: { spec: MessageSpec; raw?: Buffer }[],
  passId: string,
  watermark?: string,
  extractor: ExtractionPool = pool,
): Promise<PageResult> {
  const ctx = {
    settings: s,
    domain: 'example.com',
    mailbox,
    owner: mailbox,
    view: 'INBOX' as const,
    passId,
    now: new Date().toISOString(),
  };
  const ops: BulkOp[] = [];
  const problems: PageResult['problems'] = [];
  for (const { spec: sp, raw } of specs) {
    const record = listRecord(sp);
    const parsed = await parseRfc822(raw ?? buildRfc822(sp), { decodeTnef: (b) => extractor.decodeTnef(b) });
    const message = buildMessageDocument(record, parsed, ctx);
    const { kept } = selectAttachments(parsed.attachments, s);
    const texts = await extractAttachmentTexts(extractor, kept);
    const reason = describeExtractionProblems(kept, texts);
    if (reason) problems.push({ mimecastId: record.id, reason });
    ops.push(...indexMessageOps(PREFIX, message, buildAttachmentDocuments(message, kept, texts, ctx)));
    if (reason) {
      // The message is indexed; its unreadable attachment is recorded for a bounded retry.
      ops.pop();
      ops.push(
        recordFailedItemOp(
          PREFIX,
          { source: s.sourceId, mailbox, view: 'INBOX', mimecastId: record.id, reason, kind: 'extraction' },
          ctx.now,
        ),
      );
    }
  }
  if (watermark)
    ops.push(
      watermarkOp(PREFIX, {
        source: s.sourceId,
        mailbox,
        view: 'INBOX',
        watermark,
        passId,
        at: new Date().toISOString(),
      }),
    );
  return { ops, problems };
}

async function refresh() {
  await es.indices.refresh({ index: Object.values(names) });
}

async function allDocs(index: string, source: string) {
  const r = await es.search<Record<string, any>>({ index, size: 1000, query: { term: { source } } });
  return r.hits.hits
    .map((h): Record<string, any> => ({ id: h._id!, ...h._source!, indexedAt: undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

beforeAll(async () => {
  pool = new ExtractionPool({ threads: 2, timeoutMs: 20_000 });
  await removeIndexTemplates(es, PREFIX);
  await ensureIndexTemplates(es, PREFIX);
});

afterAll(async () => {
  await pool.close();
  await removeIndexTemplates(es, PREFIX);
  await es.close();
});

describe('index templates', () => {
  test('creates the six indices with strict mappings, idempotently', async () => {
    await ensureIndexTemplates(es, PREFIX);
    for (const index of Object.values(names)) {
      const mapping = await es.indices.getMapping({ index });
      expect(mapping[index]!.mappings.dynamic).toBe('strict');
    }
    const messages = await es.indices.getMapping({ index: names.messages });
    const props = messages[names.messages]!.mappings.properties!;
    expect(props.subject).toMatchObject({ type: 'text', fields: { keyword: { type: 'keyword' } } });
    expect(props.acl).toEqual({ type: 'keyword' });
    expect(props.received).toEqual({ type: 'date' });
    const health = await es.cluster.health({
      index: Object.values(names),
      wait_for_status: 'green',
      timeout: '10s',
    });
    expect(health.status).toBe('green');
  });
});

describe('a page of messages', () => {
  const source = 'src-page';
  const mailbox = 'alice@example.com';
  const s = settings(source, {
    attachments: { excludedNames: ['\\.png$'], blankNameDefault: 'unnamed' },
    messages: { startDate: '2024-01-01', blankSubjectDefault: '[blank]' },
  });
  const specs = [
    spec(1, [
      { kind: 'pdf', variant: 1 },
      { kind: 'docx', variant: 1 },
      { kind: 'xlsx', variant: 1 },
    ]),
    spec(2, [
      { kind: 'txt', variant: 2 },
      { kind: 'png', variant: 2 },
      { kind: 'nameless', variant: 2 },
    ]),
    spec(
      3,
      [
        { kind: 'tnef', variant: 3 },
        { kind: 'ics', variant: 3 },
        { kind: 'eml', variant: 3 },
      ],
      { subject: '' },
    ),
    spec(4, [{ kind: 'p7s', variant: 4 }], { structure: 'smime-signed', body: 'text' }),
    spec(5, [{ kind: 'p7m', variant: 5 }], { structure: 'smime-opaque' }),
    spec(6, [{ kind: 'csv', variant: 6 }], { body: 'html' }),
  ];

  test('indexed twice, it leaves the same documents (indexedAt aside), with text for every type', async () => {
    const first = await buildPage(
      s,
      mailbox,
      specs.map((sp) => ({ spec: sp })),
      'pass-1',
      '2024-01-31T23:59:59Z',
    );
    expect(first.problems).toEqual([]);
    const sink = new BulkSink(es);
    expect((await sink.write(first.ops)).failed).toEqual([]);
    await refresh();
    const messagesOnce = await allDocs(names.messages, source);
    const attachmentsOnce = await allDocs(names.attachments, source);

    const second = await buildPage(
      s,
      mailbox,
      specs.map((sp) => ({ spec: sp })),
      'pass-1',
      '2024-01-31T23:59:59Z',
    );
    expect((await sink.write(second.ops)).failed).toEqual([]);
    await refresh();
    expect(await allDocs(names.messages, source)).toEqual(messagesOnce);
    expect(await allDocs(names.attachments, source)).toEqual(attachmentsOnce);
    expect(messagesOnce).toHaveLength(6);

    const byMimecast = (id: string) =>
      messagesOnce.find((m) => m.mimecastId === `mc-msg-${id}`) as Record<string, any>;
    expect(byMimecast('1')).toMatchObject({
      subject: 'Subject 1',
      context: 'RECEIVED',
      acl: [mailbox],
      lastSeenPass: 'pass-1',
      received: new Date((1_704_272_000 + 60) * 1000).toISOString().replace('.000Z', 'Z'),
    });
    expect(byMimecast('3').subject).toBe('[blank]');
    expect(byMimecast('4')).toMatchObject({ contentFlags: ['smime-signed'] });
    expect(byMimecast('4').body).toContain('bodymarker4x');
    expect(byMimecast('5')).toMatchObject({ body: '', contentFlags: ['smime-encrypted'] });
    expect(byMimecast('6').body).toContain('bodymarker6x');
    expect(byMimecast('6').body).not.toContain('<p>');
    // nested message text appended; calendar attachment kept
    expect(byMimecast('3').body).toContain('bodymarker3x-inner');
    expect(byMimecast('2').attachmentNames).toEqual([attachmentPayload('txt', 2).filename, 'unnamed']);

    const att = (filenameStart: string) =>
      attachmentsOnce.find((a) => String(a.filename).startsWith(filenameStart)) as Record<string, any>;
    for (const kind of ['pdf', 'docx', 'xlsx', 'txt', 'csv', 'ics'] as const) {
      const payload = attachmentPayload(
        kind,
        kind === 'txt' ? 2 : kind === 'csv' ? 6 : kind === 'ics' ? 3 : 1,
      );
      const doc = attachmentsOnce.find((a) => a.filename === payload.filename)!;
      expect(doc).toBeDefined();
      expect(doc.content).toContain(payload.marker);
      expect(doc.extraction).toBe('text');
    }
    expect(att('tnef-inner-3.txt').content).toContain(attachmentPayload('tnef', 3).marker);
    expect(att('inner-note.txt').content).toContain('bodymarker3x-inner');
    expect(att('forwarded message.eml').content).toContain('bodymarker3x-inner');
    expect(attachmentsOnce.find((a) => String(a.filename).endsWith('.png'))).toBeUndefined();
    expect(att('unnamed')).toMatchObject({ extraction: 'binary', content: '' });
    expect(
      attachmentsOnce.every((a) => (a as any).acl[0] === mailbox && (a as any).sha256.length === 64),
    ).toBe(true);

    expect(await readWatermarks(es, { prefix: PREFIX, source, mailbox })).toEqual({
      INBOX: '2024-01-31T23:59:59Z',
    });
    expect(await readWatermarks(es, { prefix: PREFIX, source: 'another-source', mailbox })).toEqual({});
  });

  test('existing ids are found per page, filtered on source; the id scan pages through a view', async () => {
    const ids = specs.map((sp) =>
      messageDocId({ source, mailbox, view: 'INBOX', mimecastId: `mc-${sp.id}` }),
    );
    const missing = messageDocId({ source, mailbox, view: 'INBOX', mimecastId: 'mc-missing' });
    const found = await findExistingMessageIds(es, { prefix: PREFIX, source, ids: [...ids, missing] });
    expect([...found].sort()).toEqual([...ids].sort());
    expect((await findExistingMessageIds(es, { prefix: PREFIX, source: 'other', ids })).size).toBe(0);
    const page1 = await scanMessageIds(es, { prefix: PREFIX, source, mailbox, view: 'INBOX', size: 4 });
    const page2 = await scanMessageIds(es, {
      prefix: PREFIX,
      source,
      mailbox,
      view: 'INBOX',
      size: 4,
      searchAfter: page1.nextSearchAfter,
    });
    expect(page1.messages).toHaveLength(4);
    expect(page2.messages).toHaveLength(2);
    expect(page2.nextSearchAfter).toBeUndefined();
  });

  test('a hostile attachment that times out is recorded as a failed item without stopping the page', async () => {
    // This PDF takes pdf.js seconds (300,000 lines: about 3.5 s here, 100,000 once parsed inside 1 s in CI);
    // the pool gives each file half a second, and parsers are loaded first so that loading is not timed.
    const impatient = new ExtractionPool({ threads: 1, timeoutMs: 500 });
    for (const kind of ['pdf', 'docx'] as const) {
      const warm = attachmentPayload(kind, 1);
      await impatient.extractText({
        bytes: warm.bytes,
        filename: warm.filename ?? 'warm',
        contentType: warm.contentType,
      });
    }
    const slowPdf = buildPdf(Array.from({ length: 300_000 }, (_, i) => `line ${i} of a slow document`));
    const hostile = spec(20, [{ kind: 'txt', variant: 20 }]);
    const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
    const { serializeMimeNode } = await import('../../simulator/message-builder');
    const raw = serializeMimeNode(
      new MailComposer({
        from: 'bob@example.com',
        to: mailbox,
        subject: 'hostile',
        text: 'hostile body',
        attachments: [{ filename: 'slow.pdf', content: slowPdf, contentType: 'application/pdf' }],
      }).compile(),
    );
    const page = await buildPage(
      s,
      mailbox,
      [{ spec: hostile, raw }, { spec: spec(21, [{ kind: 'docx', variant: 21 }]) }],
      'pass-1',
      undefined,
      impatient,
    );
    await impatient.close();
    expect(page.problems).toEqual([{ mimecastId: 'mc-msg-20', reason: 'attachment 2 (slow.pdf): timeout' }]);
    expect((await new BulkSink(es).write(page.ops)).failed).toEqual([]);
    await refresh();
    const attachments = await allDocs(names.attachments, source);
    expect(attachments.find((a) => a.filename === 'slow.pdf')).toMatchObject({
      extraction: 'timeout',
      content: '',
    });
    expect((attachments.find((a) => String(a.filename).includes('notes-21')) as any).content).toContain(
      attachmentPayload('docx', 21).marker,
    );
    const failed = await listFailedItems(es, { prefix: PREFIX, source, mailbox });
    expect(failed.items.map((f) => [f.mimecastId, f.kind, f.attempts])).toEqual([
      ['mc-msg-20', 'extraction', 1],
    ]);
  });
});

describe('failures', () => {
  const source = 'src-fail';
  const mailbox = 'dave@example.com';

  test('a document Elasticsearch rejects is returned with its reason, the rest of the batch is written', async () => {
    const good = {
      action: 'index' as const,
      index: names.state,
      id: 'good',
      doc: {
        source,
        mailbox,
        view: 'INBOX',
        watermark: '2024-01-01T00:00:00Z',
        passId: 'p',
        updatedAt: '2024-01-01T00:00:00Z',
      },
    };
    const bad = {
      action: 'index' as const,
      index: names.messages,
      id: 'bad',
      doc: { source, mailbox, notAField: 1 },
    };
    const badType = {
      action: 'index' as const,
      index: names.messages,
      id: 'bad-type',
      doc: { source, mailbox, received: 'not a date' },
    };
    const missingUpdate = {
      action: 'update' as const,
      index: names.messages,
      id: 'never-indexed',
      doc: { lastSeenPass: 'p' },
    };
    const deleteMissing = { action: 'delete' as const, index: names.messages, id: 'never-indexed' };
    const result = await new BulkSink(es).write([good, bad, badType, missingUpdate, deleteMissing]);
    expect(result.failed.map((f) => [f.id, f.status])).toEqual([
      ['bad', 400],
      ['bad-type', 400],
      ['never-indexed', 404],
    ]);
    expect(result.failed[0]!.reason).toMatch(/strict_dynamic_mapping_exception/);
    expect(result.failed[1]!.reason).toMatch(/document_parsing_exception|mapper_parsing_exception/);
    expect(result.succeeded).toBe(2);
    expect((await es.get({ index: names.state, id: 'good' })).found).toBe(true);
  });

  test('a failure recorded twice counts attempts and keeps firstFailedAt; success clears it', async () => {
    const key = { source, mailbox, view: 'INBOX' as const, mimecastId: 'mc-bad' };
    const sink = new BulkSink(es);
    await sink.write([
      recordFailedItemOp(
        PREFIX,
        { ...key, reason: 'first', kind: 'item', received: '2024-02-01T00:00:00Z' },
        '2024-03-01T00:00:00Z',
      ),
    ]);
    // No refresh in between: the sink reads the stored failure in real time.
    await sink.write([
      recordFailedItemOp(
        PREFIX,
        { ...key, reason: 'second', kind: 'index-rejected' },
        '2024-03-02T00:00:00Z',
      ),
    ]);
    await refresh();
    const page = await listFailedItems(es, { prefix: PREFIX, source, mailbox });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      attempts: 2,
      firstFailedAt: '2024-03-01T00:00:00Z',
      lastFailedAt: '2024-03-02T00:00:00Z',
      reason: 'second',
      kind: 'index-rejected',
      received: '2024-02-01T00:00:00Z',
    });
    expect(
      (await listFailedItems(es, { prefix: PREFIX, source, mailbox, maxAttempts: 2 })).items,
    ).toHaveLength(0);
    await sink.write([clearFailedItemOp(PREFIX, key)]);
    await refresh();
    expect((await listFailedItems(es, { prefix: PREFIX, source, mailbox })).items).toHaveLength(0);
  });
});

describe('registry', () => {
  const source = 'src-registry';
  test('upserts keep firstSeenAt and status, pages by address with search_after, and mark unseen mailboxes gone', async () => {
    const sink = new BulkSink(es);
    const addresses = ['b@x.test', 'A@x.test', 'c@x.test', 'd@x.test', 'e@x.test'];
    await sink.write(
      addresses.map((address, i) =>
        registryUpsertOp(
          PREFIX,
          {
            source,
            address,
            mailboxKey: address.toLowerCase(),
            domain: 'X.test',
            inScope: i < 4,
            excludedBy: i < 4 ? undefined : 'mailboxes.excluded[0]',
            passId: 'p1',
          },
          '2024-01-01T00:00:00Z',
        ),
      ),
    );
    await updateRegistryStatus(es, {
      prefix: PREFIX,
      source,
      address: 'a@x.test',
      status: 'Completed',
      lastCrawledAt: '2024-01-02T00:00:00Z',
    });
    // Second snapshot: c is gone, e comes into scope.
    await sink.write(
      ['a@x.test', 'b@x.test', 'd@x.test', 'e@x.test'].map((address) =>
        registryUpsertOp(
          PREFIX,
          { source, address, mailboxKey: address, domain: 'x.test', inScope: true, passId: 'p2' },
          '2024-02-01T00:00:00Z',
        ),
      ),
    );
    await refresh();
    expect(await markUnseenMailboxesGone(es, { prefix: PREFIX, source, passId: 'p2' })).toBe(1);
    await refresh();
    expect(await getRegistryEntry(es, { prefix: PREFIX, source, address: 'A@x.test' })).toMatchObject({
      firstSeenAt: '2024-01-01T00:00:00Z',
      status: 'Completed',
      lastCrawledAt: '2024-01-02T00:00:00Z',
      lastSeenPass: 'p2',
    });
    expect(
      (await getRegistryEntry(es, { prefix: PREFIX, source, address: 'e@x.test' }))?.excludedBy,
    ).toBeNull();
    expect(await getRegistryEntry(es, { prefix: PREFIX, source, address: 'c@x.test' })).toMatchObject({
      inScope: false,
      excludedBy: 'gone',
    });
    const first = await readRegistryPage(es, { prefix: PREFIX, source, inScope: true, size: 3 });
    const second = await readRegistryPage(es, {
      prefix: PREFIX,
      source,
      inScope: true,
      size: 3,
      searchAfter: first.nextSearchAfter,
    });
    expect([...first.mailboxes, ...second.mailboxes].map((m) => m.address)).toEqual([
      'a@x.test',
      'b@x.test',
      'd@x.test',
      'e@x.test',
    ]);
    expect(second.nextSearchAfter).toBeUndefined();
    expect(
      (await readRegistryPage(es, { prefix: PREFIX, source, inScope: false, size: 10 })).mailboxes.map(
        (m) => m.address,
      ),
    ).toEqual(['c@x.test']);
    expect(await countRegistry(es, { prefix: PREFIX, source })).toBe(5);
    expect(await countRegistry(es, { prefix: PREFIX, source: 'nobody' })).toBe(0);
  });
});

describe('removal', () => {
  const mailbox = 'erin@example.com';
  const s1 = settings('src-del-1');
  const s2 = settings('src-del-2');

  async function seed(s: SourceSettings, box: string, n: number, passId: string) {
    const specs = Array.from({ length: n }, (_, i) => ({
      spec: spec(100 + i, [{ kind: 'txt', variant: i }]),
    }));
    const page = await buildPage(s, box, specs, passId, '2024-01-31T23:59:59Z');
    page.ops.push(
      registryUpsertOp(
        PREFIX,
        { source: s.sourceId, address: box, mailboxKey: box, domain: 'example.com', inScope: true, passId },
        '2024-01-01T00:00:00Z',
      ),
    );
    page.ops.push(
      recordFailedItemOp(
        PREFIX,
        { source: s.sourceId, mailbox: box, view: 'INBOX', mimecastId: 'mc-x', reason: 'r', kind: 'item' },
        '2024-01-01T00:00:00Z',
      ),
    );
    expect((await new BulkSink(es).write(page.ops)).failed).toEqual([]);
  }

  test('the sweep deletes the unseen messages of a view with their attachments, and nothing else', async () => {
    await seed(s1, mailbox, 4, 'pass-a');
    await refresh();
    // pass-b saw two of the four messages again.
    const seen = [100, 101].map((n) =>
      messageDocId({ source: 'src-del-1', mailbox, view: 'INBOX', mimecastId: `mc-msg-${n}` }),
    );
    await new BulkSink(es).write(seen.map((id) => markSeenOp(PREFIX, id, 'pass-b')));
    await refresh();
    const heartbeats: unknown[] = [];
    const result = await sweepUnseenMessages(
      es,
      { prefix: PREFIX, source: 'src-del-1', mailbox, view: 'INBOX', passId: 'pass-b' },
      { heartbeat: (st) => heartbeats.push(st) },
    );
    expect(result).toEqual({ deleted: 2, attachmentsDeleted: 2 });
    expect(heartbeats.length).toBeGreaterThan(0);
    await refresh();
    const left = await allDocs(names.messages, 'src-del-1');
    expect(left.map((m) => m.id).sort()).toEqual([...seen].sort());
    const attachments = await allDocs(names.attachments, 'src-del-1');
    expect(attachments.map((a) => a.messageDocId).sort()).toEqual([...seen].sort());
  });

  test('re-indexed with fewer attachments, a message loses the attachment documents it no longer has', async () => {
    const s = settings('src-stale');
    const box = 'gina@example.com';
    const full = spec(200, [
      { kind: 'txt', variant: 1 },
      { kind: 'csv', variant: 2 },
    ]);
    expect(
      (await new BulkSink(es).write((await buildPage(s, box, [{ spec: full }], 'p1')).ops)).failed,
    ).toEqual([]);
    await refresh();
    expect(await allDocs(names.attachments, 'src-stale')).toHaveLength(2);
    // Now the CSV is excluded by a changed setting: the page is rebuilt and indexed again.
    const narrowed = settings('src-stale', { attachments: { excludedNames: ['\\.csv$'] } });
    const again = await buildPage(narrowed, box, [{ spec: full }], 'p2');
    expect((await new BulkSink(es).write(again.ops)).failed).toEqual([]);
    const kept = again.ops.filter((op) => op.index === names.attachments).map((op) => op.id);
    const messageId = messageDocId({
      source: 'src-stale',
      mailbox: box,
      view: 'INBOX',
      mimecastId: 'mc-msg-200',
    });
    await refresh();
    const deleted = await deleteStaleAttachments(es, {
      prefix: PREFIX,
      source: 'src-stale',
      messageDocIds: [messageId],
      keepAttachmentIds: kept,
    });
    expect(deleted).toBe(1);
    await refresh();
    expect((await allDocs(names.attachments, 'src-stale')).map((a) => a.id)).toEqual(kept);
  });

  test('mailbox deletion removes one source mailbox from every index and leaves other sources and mailboxes untouched', async () => {
    await seed(s2, mailbox, 3, 'pass-a');
    await seed(s1, 'frank@example.com', 2, 'pass-a');
    await refresh();
    const before = async (source: string) => ({
      messages: (await allDocs(names.messages, source)).length,
      attachments: (await allDocs(names.attachments, source)).length,
    });
    const s2Before = await before('src-del-2');
    expect(s2Before).toEqual({ messages: 3, attachments: 3 });
    const beats: number[] = [];
    const { deleted } = await deleteMailboxDocuments(
      es,
      { prefix: PREFIX, source: 'src-del-1', mailbox },
      { heartbeat: (st) => beats.push(st.deleted) },
    );
    // 2 messages + 2 attachments + 1 failed item + 1 watermark
    expect(deleted).toBe(6);
    expect(beats.length).toBeGreaterThan(0);
    await refresh();
    const count = async (index: string, source: string, box: string) =>
      (
        await es.count({
          index,
          query: { bool: { filter: [{ term: { source } }, { term: { mailbox: box } }] } },
        })
      ).count;
    for (const index of [names.messages, names.attachments, names.failed, names.state]) {
      expect(await count(index, 'src-del-1', mailbox)).toBe(0);
      expect(await count(index, 'src-del-2', mailbox)).toBeGreaterThan(0);
      expect(await count(index, 'src-del-1', 'frank@example.com')).toBeGreaterThan(0);
    }
    expect(
      await getRegistryEntry(es, { prefix: PREFIX, source: 'src-del-1', address: mailbox }),
    ).toBeUndefined();
    expect(
      await getRegistryEntry(es, { prefix: PREFIX, source: 'src-del-2', address: mailbox }),
    ).toBeDefined();
    expect(await before('src-del-2')).toEqual(s2Before);
  });
});

describe('pass reports', () => {
  test('a report is written once per pass and searchable by status', async () => {
    const progress = {
      passId: 'pass-r',
      sourceId: 'src-r',
      status: 'Completed' as const,
      mode: 'delta' as const,
      paused: false,
      startedAt: '2024-01-01T00:00:00Z',
      mailboxes: { total: 1, dispatched: 1, inFlight: 0, completed: 1, failed: 0 },
      messages: { ...emptyCounters(), indexed: 7 },
      deletions: { candidates: 0, performed: 0, withheld: 0 },
      failedMailboxes: [],
      failedMailboxesTotal: 0,
    };
    const id = await writePassReportDocument(es, PREFIX, {
      source: 'src-r',
      passId: 'pass-r',
      settingsHash: 'abc',
      progress,
      finishedAt: '2024-01-01T01:00:00Z',
    });
    expect(
      await writePassReportDocument(es, PREFIX, {
        source: 'src-r',
        passId: 'pass-r',
        settingsHash: 'abc',
        progress,
        finishedAt: '2024-01-01T01:00:00Z',
      }),
    ).toBe(id);
    await refresh();
    const found = await es.search({
      index: names.passes,
      query: { bool: { filter: [{ term: { source: 'src-r' } }, { term: { status: 'Completed' } }] } },
    });
    expect(found.hits.hits.map((h) => h._id)).toEqual([id]);
    expect(await readPassReport(es, { prefix: PREFIX, source: 'src-r', passId: 'pass-r' })).toMatchObject({
      messagesIndexed: 7,
      progress: { messages: { indexed: 7 } },
    });
  });
});
