// Text extraction per file type, in process (the pool runs the same functions in worker threads),
// on the simulator's real attachment payloads. PDF is tested through the pool only: pdf.js loads
// its worker with a dynamic import that jest's module sandbox refuses.
import { attachmentPayload, type AttachmentKind } from '../../simulator/attachment-factory';
import { buildDocx } from '../../simulator/document-builders';
import {
  calendarToText,
  capText,
  detectFileKind,
  extractTextInProcess,
} from '../../activities/extract/text-extractors';
import { checkZipDeclaredSize, ZipBombError } from '../../activities/extract/zip-guard';

async function extract(kind: AttachmentKind, variant = 1) {
  const p = attachmentPayload(kind, variant);
  const result = await extractTextInProcess({
    bytes: p.bytes,
    filename: p.filename ?? '',
    contentType: p.contentType,
  });
  return { p, result };
}

describe('extractTextInProcess', () => {
  test.each<AttachmentKind>(['docx', 'xlsx', 'csv', 'txt', 'ics'])(
    'finds the marker text in a %s attachment',
    async (kind) => {
      const { p, result } = await extract(kind);
      expect(p.marker).not.toBe('');
      expect(result.extraction).toBe('text');
      expect(result.text).toContain(p.marker);
      expect(result.truncated).toBe(false);
    },
  );

  test('decodes text attachments as UTF-8 by default and honours a charset parameter', async () => {
    const { result } = await extract('txt');
    expect(result.text).toContain('ünïcödé ✓');
    const latin1 = await extractTextInProcess({
      bytes: Buffer.from('caf\xe9', 'latin1'),
      filename: 'a.txt',
      contentType: 'text/plain; charset=iso-8859-1',
    });
    expect(latin1.text).toBe('café');
  });

  test('turns HTML into text', async () => {
    const result = await extractTextInProcess({
      bytes: Buffer.from(
        '<html><style>p{}</style><body><p>Hello <b>world</b></p><img src="x.png"></body></html>',
      ),
      filename: 'page.html',
      contentType: 'text/html',
    });
    expect(result.text).toBe('Hello world');
  });

  test.each<AttachmentKind>(['binary', 'png', 'nameless'])(
    'keeps a %s attachment as metadata only',
    async (kind) => {
      const { result } = await extract(kind);
      expect(result).toEqual({ text: '', truncated: false, extraction: 'binary' });
    },
  );

  test('caps long text and flags it as truncated', async () => {
    const result = await extractTextInProcess(
      { bytes: Buffer.from('x'.repeat(5000)), filename: 'big.txt', contentType: 'text/plain' },
      1000,
    );
    expect(result.text.length).toBe(1000);
    expect(result.truncated).toBe(true);
  });

  test('a corrupt DOCX throws (the pool records it as an error)', async () => {
    await expect(
      extractTextInProcess({
        bytes: Buffer.from('PK\u0003\u0004 not a zip'),
        filename: 'x.docx',
        contentType: 'application/octet-stream',
      }),
    ).rejects.toThrow();
  });
});

describe('detectFileKind', () => {
  test('uses the content type, then the extension, then the PDF magic', () => {
    const bytes = new Uint8Array();
    expect(detectFileKind({ bytes, filename: 'a.bin', contentType: 'application/pdf' })).toBe('pdf');
    expect(detectFileKind({ bytes, filename: 'Notes.DOCX', contentType: 'application/octet-stream' })).toBe(
      'docx',
    );
    expect(
      detectFileKind({
        bytes: Buffer.from('%PDF-1.4'),
        filename: 'scan',
        contentType: 'application/octet-stream',
      }),
    ).toBe('pdf');
    expect(detectFileKind({ bytes, filename: 'x.exe', contentType: 'application/octet-stream' })).toBe(
      'binary',
    );
  });
});

describe('calendarToText', () => {
  test('unfolds lines and keeps summary, description, location and people', () => {
    const ics = [
      'BEGIN:VEVENT',
      'SUMMARY:Budget rev',
      ' iew',
      'DESCRIPTION:Line one\\nLine two\\, with comma',
      'ORGANIZER;CN=Bob Boss:mailto:bob@example.com',
      'UID:ignored',
      'END:VEVENT',
    ].join('\r\n');
    expect(calendarToText(ics)).toBe(
      'SUMMARY: Budget review\nDESCRIPTION: Line one\nLine two, with comma\nORGANIZER: Bob Boss <bob@example.com>',
    );
  });
});

describe('capText', () => {
  test('removes NUL characters and trims', () => {
    expect(capText(' a\u0000b ', 10)).toEqual({ text: 'ab', truncated: false });
  });
});

describe('checkZipDeclaredSize', () => {
  test('accepts a normal DOCX and refuses the simulator zip bomb before inflating it', () => {
    expect(checkZipDeclaredSize(buildDocx(['hello']), 10_000_000)).toBeGreaterThan(0);
    const bomb = attachmentPayload('zip-bomb', 1).bytes;
    expect(() => checkZipDeclaredSize(bomb, 200 * 1024 * 1024)).toThrow(ZipBombError);
  });
});
