// A file that blows the extraction thread's memory limit (a huge spreadsheet model in exceljs)
// kills only that thread: the file is recorded as an error, the thread is replaced, the next file
// is extracted, and the worker process is untouched.
import { ExtractionPool } from '../../activities/extract/extraction-pool';
import { attachmentPayload } from '../../simulator/attachment-factory';
import { buildXlsx } from '../../simulator/document-builders';

jest.setTimeout(120_000);

test('an out-of-memory file is recorded as an error and its thread replaced', async () => {
  const pool = new ExtractionPool({ threads: 1, timeoutMs: 60_000, memoryLimitMb: 128 });
  try {
    const huge = buildXlsx(
      Array.from({ length: 300_000 }, (_, i) => [`row ${i} some text here`, i, `more ${i}`]),
    );
    const result = await pool.extractText({
      bytes: huge,
      filename: 'huge.xlsx',
      contentType: 'application/octet-stream',
    });
    expect(result.extraction).toMatch(/^error: worker thread crashed: .*memory limit/);
    expect(pool.stats.crashes).toBe(1);
    const docx = attachmentPayload('docx', 9);
    const next = await pool.extractText({
      bytes: docx.bytes,
      filename: docx.filename!,
      contentType: docx.contentType,
    });
    expect(next.text).toContain(docx.marker);
    expect(pool.stats.threadsStarted).toBe(2);
  } finally {
    await pool.close();
  }
});
