// The extraction worker as it runs in production: compiled to JavaScript and started by plain
// node (no tsx, no jest), the pool finds `extraction-worker.js` beside itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { attachmentPayload } from '../../simulator/attachment-factory';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../..');

test('the compiled pool extracts PDF and DOCX text in worker threads under plain node', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'extract-compiled-'));
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/typescript/bin/tsc'),
        '--outDir',
        out,
        '--rootDir',
        root,
        '--module',
        'commonjs',
        '--target',
        'es2022',
        '--moduleResolution',
        'node',
        '--esModuleInterop',
        '--skipLibCheck',
        '--strict',
        '--types',
        'node',
        path.join(root, 'activities/extract/extraction-pool.ts'),
        path.join(root, 'activities/extract/extraction-worker.ts'),
      ],
      { stdio: 'pipe' },
    );
    const pdf = attachmentPayload('pdf', 7);
    const docx = attachmentPayload('docx', 7);
    writeFileSync(path.join(out, 'a.pdf'), pdf.bytes);
    writeFileSync(path.join(out, 'a.docx'), docx.bytes);
    const script = `
      const { ExtractionPool, workerEntry } = require(${JSON.stringify(path.join(out, 'activities/extract/extraction-pool.js'))});
      const fs = require('fs');
      (async () => {
        const pool = new ExtractionPool({ threads: 1, timeoutMs: 20000 });
        const pdf = await pool.extractText({ bytes: fs.readFileSync(${JSON.stringify(path.join(out, 'a.pdf'))}), filename: 'a.pdf', contentType: 'application/pdf' });
        const docx = await pool.extractText({ bytes: fs.readFileSync(${JSON.stringify(path.join(out, 'a.docx'))}), filename: 'a.docx', contentType: 'application/octet-stream' });
        await pool.close();
        process.stdout.write(JSON.stringify({ entry: workerEntry(), pdf, docx }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const stdout = execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(stdout);
    expect(result.entry.evalCode).toBe(false);
    expect(result.entry.filename).toMatch(/extraction-worker\.js$/);
    expect(result.pdf.extraction).toBe('text');
    expect(result.pdf.text).toContain(pdf.marker);
    expect(result.docx.text).toContain(docx.marker);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
