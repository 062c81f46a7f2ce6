// The pure document builders: settings defaults and filters (blank subject/name defaults stored
// only, excluded attachment names searched anywhere, case-insensitive, on the raw name), acl,
// context, deterministic ids, metadata-only documents.
import type { SourceSettings } from '../../common/settings';
import { attachmentDocId, messageDocId } from '../../activities/elastic/document-ids';
import type { ExtractedPart, ParsedMessage } from '../../activities/extract/mime-parser';
import {
  attachmentNameFilter,
  buildAttachmentDocuments,
  buildMessageDocument,
  extractAttachmentTexts,
  selectAttachments,
  type MessageContext,
  type MessageListRecord,
} from '../../activities/extract/message-document';
import { ItemError } from '../../common/node/errors';
import { settings as testSettings } from '../helpers/settings';

function settings(overrides: Record<string, unknown> = {}): SourceSettings {
  return testSettings(overrides, { sourceId: 'src-a' });
}

function ctx(s = settings()): MessageContext {
  return {
    settings: s,
    domain: 'Example.com',
    mailbox: 'alice@example.com',
    owner: 'Alice@Example.com',
    view: 'INBOX',
    passId: 'pass-1',
    now: '2024-02-01T00:00:00Z',
  };
}

const record: MessageListRecord = {
  id: 'eNpVmimecastid',
  subject: 'Q1 plan',
  from: { emailAddress: 'Bob@Example.com', displayableName: 'Bob' },
  to: [{ emailAddress: 'alice@example.com', displayableName: 'Alice' }],
  received: '2024-01-03T09:12:44+0000',
  size: 48211,
  attachmentCount: 2,
  expired: false,
  recalled: false,
};

function part(filename: string, partPath: string): ExtractedPart {
  return {
    partPath,
    filename,
    contentType: 'text/plain',
    size: 5,
    sha256: 'ab'.repeat(32),
    bytes: Buffer.from('hello'),
    flags: [],
  };
}

function parsed(attachments: ExtractedPart[] = []): ParsedMessage {
  return {
    messageId: '<abc@mail.example.com>',
    subject: 'Q1 plan',
    from: { address: 'bob@example.com', name: 'Bob' },
    to: [{ address: 'alice@example.com', name: 'Alice' }],
    cc: [{ address: 'carol@example.com' }],
    date: '2024-01-03T09:12:37.000Z',
    text: 'body text',
    textTruncated: false,
    attachments,
    flags: [],
  };
}

describe('buildMessageDocument', () => {
  test('[I1] a received that is not a date is an item error (recorded), not a page error', () => {
    expect(() =>
      buildMessageDocument({ ...record, received: '2024-13-45T09:12:44+0000' }, undefined, ctx()),
    ).toThrow(ItemError);
  });

  test('fills every field of the design with a deterministic id', () => {
    const { id, doc } = buildMessageDocument(record, parsed([part('a.txt', '2')]), ctx());
    expect(id).toBe(
      messageDocId({ source: 'src-a', mailbox: 'alice@example.com', view: 'INBOX', mimecastId: record.id }),
    );
    expect(doc).toEqual({
      source: 'src-a',
      domain: 'example.com',
      mailbox: 'alice@example.com',
      view: 'INBOX',
      mimecastId: record.id,
      internetMessageId: '<abc@mail.example.com>',
      subject: 'Q1 plan',
      from: { address: 'bob@example.com', name: 'Bob' },
      to: [{ address: 'alice@example.com', name: 'Alice' }],
      cc: [{ address: 'carol@example.com' }],
      received: '2024-01-03T09:12:44Z',
      size: 48211,
      body: 'body text',
      bodyTruncated: false,
      attachmentCount: 1,
      attachmentNames: ['a.txt'],
      context: 'RECEIVED',
      acl: ['alice@example.com'],
      metadataOnly: false,
      lastSeenPass: 'pass-1',
      indexedAt: '2024-02-01T00:00:00Z',
    });
  });

  test('a blank subject is stored as blankSubjectDefault', () => {
    const blank = { ...record, subject: '  ' };
    const noSubject = { ...parsed(), subject: undefined };
    expect(buildMessageDocument(blank, noSubject, ctx()).doc.subject).toBe('(no subject)');
    const custom = ctx(settings({ messages: { startDate: '2024-01-01', blankSubjectDefault: '[none]' } }));
    expect(buildMessageDocument(blank, noSubject, custom).doc.subject).toBe('[none]');
  });

  test('metadata only: list fields, empty body, flagged with the reason', () => {
    const { doc } = buildMessageDocument({ ...record, expired: true }, undefined, ctx(), {
      metadataOnlyReason: 'oversize',
    });
    expect(doc.metadataOnly).toBe(true);
    expect(doc.body).toBe('');
    expect(doc.contentFlags).toEqual(['oversize']);
    expect(doc.attachmentCount).toBe(2);
    expect(doc.to).toEqual([{ address: 'alice@example.com', name: 'Alice' }]);
    expect(doc.expired).toBe(true);
  });

  test('the same input gives the same document (idempotent re-index)', () => {
    const a = buildMessageDocument(record, parsed([part('a.txt', '2')]), ctx());
    const b = buildMessageDocument(record, parsed([part('a.txt', '2')]), ctx());
    expect(b).toEqual(a);
  });
});

describe('attachment filters and defaults', () => {
  test('excludedNames are JavaScript regexes, case-insensitive, searched anywhere in the raw name', () => {
    const isExcluded = attachmentNameFilter(['^image\\d+\\.png$', 'SECRET']);
    expect(isExcluded('IMAGE001.PNG')).toBe(true);
    expect(isExcluded('my-secret-plan.docx')).toBe(true);
    expect(isExcluded('image001.png.exe')).toBe(false);
    expect(isExcluded('report.pdf')).toBe(false);
  });

  test('the filter sees the raw name: a nameless attachment is "" and is stored as blankNameDefault', () => {
    const s = settings({ attachments: { excludedNames: ['^$'] } });
    expect(selectAttachments([part('', '2'), part('a.txt', '3')], s).kept.map((p) => p.filename)).toEqual([
      'a.txt',
    ]);
    const keepAll = settings({ attachments: { blankNameDefault: 'unnamed' } });
    const message = buildMessageDocument(record, parsed([part('', '2')]), ctx(keepAll));
    expect(message.doc.attachmentNames).toEqual(['unnamed']);
    const [doc] = buildAttachmentDocuments(message, [part('', '2')], new Map(), ctx(keepAll));
    expect(doc!.doc.filename).toBe('unnamed');
  });

  test('the default blank name "attachment" is not matched by a filter on "attachment"', () => {
    const s = settings({ attachments: { excludedNames: ['attachment'] } });
    expect(selectAttachments([part('', '2')], s).kept).toHaveLength(1);
  });

  test('excluded attachments are neither documents nor listed names; extract=false keeps none', () => {
    const s = settings({ attachments: { excludedNames: ['\\.png$'] } });
    const parts = [part('logo.png', '2'), part('plan.txt', '3')];
    expect(selectAttachments(parts, s)).toEqual({ kept: [parts[1]], excluded: [parts[0]] });
    expect(buildMessageDocument(record, parsed(parts), ctx(s)).doc.attachmentNames).toEqual(['plan.txt']);
    expect(selectAttachments(parts, settings({ attachments: { extract: false } })).kept).toEqual([]);
  });
});

describe('buildAttachmentDocuments', () => {
  test('links each attachment to its message, keyed by part path, with extracted text and acl', async () => {
    const parts = [part('a.txt', '2'), { ...part('big.bin', '3'), bytes: undefined, flags: ['oversize'] }];
    const message = buildMessageDocument(record, parsed(parts), ctx());
    const texts = await extractAttachmentTexts(
      { extractText: async (r) => ({ text: `text of ${r.filename}`, truncated: false, extraction: 'text' }) },
      parts,
    );
    const docs = buildAttachmentDocuments(message, parts, texts, ctx());
    expect(docs.map((d) => d.id)).toEqual([
      attachmentDocId(message.id, '2'),
      attachmentDocId(message.id, '3'),
    ]);
    expect(docs[0]!.doc).toMatchObject({
      source: 'src-a',
      mailbox: 'alice@example.com',
      messageDocId: message.id,
      mimecastId: record.id,
      partPath: '2',
      filename: 'a.txt',
      content: 'text of a.txt',
      extraction: 'text',
      received: '2024-01-03T09:12:44Z',
      acl: ['alice@example.com'],
      lastSeenPass: 'pass-1',
    });
    expect(docs[1]!.doc).toMatchObject({ content: '', extraction: 'oversize' });
  });

  test('an attached message uses its own text without the extraction pool', async () => {
    const eml = { ...part('fwd.eml', '2'), contentType: 'message/rfc822', text: 'inner body' };
    const texts = await extractAttachmentTexts(
      {
        extractText: async () => {
          throw new Error('must not be called');
        },
      },
      [eml],
    );
    expect(texts.get('2')).toEqual({ text: 'inner body', truncated: false, extraction: 'text' });
  });
});
