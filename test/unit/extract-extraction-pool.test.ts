// The extraction pool in real worker threads (started from the .ts sources through tsx, as under
// jest and `tsx`): text of every listed type, a hostile PDF that times out without blocking the
// event loop, a decompression bomb refused, a crashing thread replaced, TNEF unpacked.
import { ExtractionPool, defaultExtractionThreads } from '../../activities/extract/extraction-pool';
import { attachmentPayload, type AttachmentKind } from '../../simulator/attachment-factory';
import { buildPdf } from '../../simulator/document-builders';
import { readFileSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(60_000);

describe('ExtractionPool', () => {
  let pool: ExtractionPool;
  beforeAll(() => {
    pool = new ExtractionPool({ threads: 2, timeoutMs: 8_000, memoryLimitMb: 128 });
  });
  afterAll(async () => {
    await pool.close();
  });

  const fromPayload = (kind: AttachmentKind, variant = 1) => {
    const p = attachmentPayload(kind, variant);
    return {
      request: { bytes: p.bytes, filename: p.filename ?? '', contentType: p.contentType },
      marker: p.marker,
    };
  };

  test.each<AttachmentKind>(['pdf', 'docx', 'xlsx', 'txt', 'csv', 'ics'])(
    'extracts the text of a %s file in a thread',
    async (kind) => {
      const { request, marker } = fromPayload(kind);
      const result = await pool.extractText(request);
      expect(result.extraction).toBe('text');
      expect(result.text).toContain(marker);
    },
  );

  test('a binary file is metadata only', async () => {
    const result = await pool.extractText(fromPayload('binary').request);
    expect(result).toEqual({ text: '', truncated: false, extraction: 'binary' });
  });

  test('a corrupt file is recorded as an error and the next file still works', async () => {
    const bad = await pool.extractText({
      bytes: Buffer.from('%PDF-1.4 garbage'),
      filename: 'x.pdf',
      contentType: 'application/pdf',
    });
    expect(bad.extraction).toMatch(/^error: /);
    const good = await pool.extractText(fromPayload('docx', 2).request);
    expect(good.text).toContain(fromPayload('docx', 2).marker);
  });

  test('a decompression bomb DOCX is refused, not inflated', async () => {
    const bomb = attachmentPayload('zip-bomb', 1).bytes;
    const result = await pool.extractText({
      bytes: bomb,
      filename: 'bomb.docx',
      contentType: 'application/octet-stream',
    });
    expect(result.extraction).toMatch(/^error: .*uncompressed bytes/);
  });

  test('a file that overruns the timeout is recorded as timeout while the event loop stays free, and the thread is replaced', async () => {
    const short = new ExtractionPool({ threads: 1, timeoutMs: 1_000 });
    try {
      // A PDF whose content stream is enormous and slow to lay out (300,000 lines: 100,000 parsed inside
      // the 1 s timeout once on a quiet machine); the pool must not wait for it.
      const lines = Array.from({ length: 300_000 }, (_, i) => `line ${i} of a hostile document`);
      const hostile = buildPdf(lines);
      // Warm the thread first: parser loading is not part of a file's time.
      await short.extractText(fromPayload('txt', 2).request);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 100);
      const started = Date.now();
      const result = await short.extractText({
        bytes: hostile,
        filename: 'slow.pdf',
        contentType: 'application/pdf',
      });
      clearInterval(ticker);
      expect(result.extraction).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(4_000);
      // Heartbeats would have kept running: the main thread ticked throughout.
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(short.stats.timeouts).toBe(1);
      const after = await short.extractText(fromPayload('txt', 3).request);
      expect(after.text).toContain(fromPayload('txt', 3).marker);
      expect(short.stats.threadsStarted).toBe(2);
    } finally {
      await short.close();
    }
  });

  test('unpacks TNEF in a thread (node-tnef logs do not reach stdout)', async () => {
    const tnef = attachmentPayload('tnef', 5);
    const files = await pool.decodeTnef(tnef.bytes);
    expect(files.map((f) => f.filename)).toEqual(['tnef-inner-5.txt']);
    expect(Buffer.from(files[0]!.bytes).toString()).toContain(tnef.marker);
    const sample = readFileSync(
      path.join(__dirname, '../../node_modules/node-tnef/testFiles/attachments.dat'),
    );
    expect((await pool.decodeTnef(sample)).map((f) => f.filename)).toEqual(['ZAPPA_~2.JPG', 'bookmark.htm']);
    await expect(pool.decodeTnef(Buffer.from('not tnef'))).rejects.toThrow(/TNEF/);
  });

  test('callers keep their buffers (the pool transfers copies)', async () => {
    const { request } = fromPayload('txt', 6);
    const before = Buffer.from(request.bytes);
    await pool.extractText(request);
    expect(Buffer.from(request.bytes).equals(before)).toBe(true);
  });
});

describe('ExtractionPool sizing and idle threads', () => {
  const GiB = 2 ** 30;
  test('leaves a core to the event loop, one thread per GiB, at most two', () => {
    expect(defaultExtractionThreads(1, 16 * GiB)).toBe(1);
    expect(defaultExtractionThreads(2, 16 * GiB)).toBe(1);
    expect(defaultExtractionThreads(8, 16 * GiB)).toBe(2);
    expect(defaultExtractionThreads(8, 1.5 * GiB)).toBe(1);
    expect(defaultExtractionThreads(8, 0.5 * GiB)).toBe(1);
  });

  test('starts no thread before a file waits, and retires an idle thread, starting a fresh one later', async () => {
    const pool = new ExtractionPool({ threads: 1, idleMs: 300 });
    try {
      expect(pool.stats.threadsStarted).toBe(0);
      const txt = attachmentPayload('txt', 1);
      const request = { bytes: txt.bytes, filename: txt.filename ?? '', contentType: txt.contentType };
      expect((await pool.extractText(request)).text).toContain(txt.marker);
      expect(pool.stats.threadsStarted).toBe(1);
      await new Promise((r) => setTimeout(r, 800));
      expect(pool.stats.threadsRetired).toBe(1);
      expect((await pool.extractText(request)).text).toContain(txt.marker);
      expect(pool.stats.threadsStarted).toBe(2);
    } finally {
      await pool.close();
    }
  });
});
