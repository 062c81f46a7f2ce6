// Writes a Reply to the HTTP response: JSON (optionally cut short, for the malformed-JSON fault), raw
// bytes with download headers that vary on purpose, and slow downloads when that fault is set.
import type http from 'node:http';
import type { SimContext } from './context';
import type { Reply } from './envelope';

export class ReplyWriter {
  private downloadCounter = 0;

  constructor(private readonly ctx: SimContext) {}

  write(
    res: http.ServerResponse,
    reply: Reply,
    headers: Record<string, string> = {},
    malformed = false,
  ): void {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (reply.status >= 400) this.ctx.count(reply.status >= 500 ? '5xx' : String(reply.status));
    switch (reply.kind) {
      case 'empty':
        res.writeHead(reply.status, { 'Content-Length': '0' });
        res.end();
        return;
      case 'text':
        res.writeHead(reply.status, { 'Content-Type': reply.contentType });
        res.end(reply.text);
        return;
      case 'json': {
        let text = JSON.stringify(reply.body);
        if (malformed)
          text = text.slice(0, Math.max(1, Math.floor(text.length / 2))) + (text.length % 2 ? '' : '\u0000}');
        res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(text);
        return;
      }
      case 'bytes':
        this.writeBytes(res, reply.status, reply.bytes, reply.contentType, reply.filename, reply.trickle);
        return;
    }
  }

  /** Download headers vary on purpose (no source documents them): with or without Content-Length / Content-Disposition. */
  writeBytes(
    res: http.ServerResponse,
    status: number,
    bytes: Buffer,
    contentType: string,
    filename: string | null,
    trickle = true,
  ): void {
    const variant = this.downloadCounter++ % 3;
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (variant !== 1) headers['Content-Length'] = String(bytes.length);
    if (variant === 0 && filename)
      headers['Content-Disposition'] = `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, '_')}"`;
    if (variant === 2 && filename)
      headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`;
    res.writeHead(status, headers);
    const slow = trickle ? this.ctx.deps.faults.slowDownloadMs : 0;
    if (!slow || bytes.length === 0) {
      res.end(bytes);
      return;
    }
    const parts = 5;
    const step = Math.ceil(bytes.length / parts);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= bytes.length) {
        res.end();
        return;
      }
      res.write(bytes.subarray(i, i + step));
      i += step;
      setTimeout(next, slow / parts);
    };
    next();
  }
}
