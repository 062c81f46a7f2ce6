// Refuses ZIP-based documents (DOCX, XLSX) whose central directory declares more uncompressed bytes
// than a limit, before a parser inflates them: a decompression bomb never reaches mammoth/exceljs.
// The worker's timeout and memory limit still catch archives that lie about their sizes.

export class ZipBombError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipBombError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Sum of declared uncompressed sizes, or throws when the archive is suspicious. */
export function checkZipDeclaredSize(
  bytes: Uint8Array,
  maxUncompressedBytes: number,
  maxRatio = 200,
): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const minEocd = Math.max(0, bytes.length - 65_557);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= minEocd; i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  // Not a readable ZIP: let the parser report its own error.
  if (eocd < 0) return 0;
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || offset === 0xffffffff)
    throw new ZipBombError('ZIP64 archive refused (declared sizes unreadable)');
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== CENTRAL) break;
    const uncompressed = view.getUint32(offset + 24, true);
    if (uncompressed === 0xffffffff) throw new ZipBombError('ZIP64 entry refused (declared size unreadable)');
    total += uncompressed;
    offset +=
      46 +
      view.getUint16(offset + 28, true) +
      view.getUint16(offset + 30, true) +
      view.getUint16(offset + 32, true);
  }
  if (total > maxUncompressedBytes) {
    throw new ZipBombError(`declares ${total} uncompressed bytes (limit ${maxUncompressedBytes})`);
  }
  if (bytes.length > 0 && total / bytes.length > maxRatio && total > 10_000_000) {
    throw new ZipBombError(
      `compression ratio ${Math.round(total / bytes.length)}:1 looks like a decompression bomb`,
    );
  }
  return total;
}
