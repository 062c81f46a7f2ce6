// Unpacks Outlook's TNEF container (winmail.dat) with node-tnef. Runs inside the extraction worker
// threads: node-tnef logs to stdout through bunyan and copies the input into a JS array, so it is
// kept off the main thread, under the pool's memory limit and timeout, with its stdout discarded.

export interface TnefFile {
  filename: string;
  bytes: Uint8Array;
}

interface NodeTnefResult {
  Attachments?: { Title?: string; Data?: number[] }[];
}

interface NodeTnef {
  parseBuffer(data: Buffer, callback: (failed: boolean, result: NodeTnefResult | null | Error) => void): void;
}

export function decodeTnef(bytes: Uint8Array): TnefFile[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tnef = require('node-tnef') as NodeTnef;
  let files: TnefFile[] | undefined;
  let failure: string | undefined;
  // parseBuffer calls back synchronously (it decodes in one go).
  tnef.parseBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (failed, result) => {
    if (failed || !result || result instanceof Error) {
      failure = result instanceof Error ? result.message : 'not a valid TNEF stream';
      return;
    }
    files = (result.Attachments ?? [])
      .filter((a) => a.Data && a.Data.length > 0)
      .map((a, i) => ({ filename: a.Title || `tnef-part-${i}`, bytes: Uint8Array.from(a.Data!) }));
  });
  if (files) return files;
  throw new Error(`TNEF: ${failure ?? 'decoder returned nothing'}`);
}
