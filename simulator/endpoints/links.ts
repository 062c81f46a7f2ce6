// One-time download links (the download switch: 'link' or 'links' instead of raw bytes): issued on the
// host name the client called, served at GET /__download/<token> on the same origin or on the foreign
// listener (linkOrigin switch), single use, expiring after five minutes. The foreign listener records
// whether a client sent it an Authorization header (the bearer token must never leave the API's origin).
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { SimContext } from './context';
import { errorReply, ok, readBody, sleep, type BytesReply, type Reply } from './envelope';
import type { ReplyWriter } from './reply-writer';

interface LinkRecord {
  bytes: Buffer;
  contentType: string;
  filename: string | null;
  trickle?: boolean;
  expiresAt: number;
  used: boolean;
  foreign: boolean;
}

export interface Listeners {
  url: string;
  mainPort: number;
  foreignPort: number;
}

const LINK_TTL_MS = 300_000;

export class DownloadLinks {
  private readonly links = new Map<string, LinkRecord>();
  private foreignAuth = false;

  constructor(
    private readonly ctx: SimContext,
    private readonly out: ReplyWriter,
    private readonly listeners: () => Listeners,
  ) {}

  foreignAuthorizationSeen(): boolean {
    return this.foreignAuth;
  }

  /** Links use the host name the client called (so they work behind docker service names), on our ports. */
  linkReply(reply: BytesReply, requestHost: string): Reply {
    const sw = this.ctx.deps.switches;
    const token = randomBytes(18).toString('base64url');
    const foreign = sw.linkOrigin === 'foreign';
    this.links.set(token, {
      bytes: reply.bytes,
      contentType: reply.contentType,
      filename: reply.filename,
      trickle: reply.trickle,
      expiresAt: this.ctx.deps.now() + LINK_TTL_MS,
      used: false,
      foreign,
    });
    const { url: serverUrl, mainPort, foreignPort } = this.listeners();
    const hostname = /^[A-Za-z0-9.-]+(:\d+)?$/.test(requestHost)
      ? requestHost.replace(/:\d+$/, '')
      : new URL(serverUrl).hostname;
    const url = `http://${hostname}:${foreign ? foreignPort : mainPort}/__download/${token}`;
    return ok([sw.download === 'links' ? { urls: [url] } : { url }]);
  }

  async handleLink(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    token: string,
    isForeign: boolean,
  ): Promise<void> {
    this.ctx.count('link-get');
    if (isForeign && req.headers.authorization) this.foreignAuth = true;
    await readBody(req);
    if (req.method !== 'GET')
      return this.out.write(res, errorReply(405, 'err_method_not_allowed', 'Only GET is supported'));
    if (this.ctx.deps.faults.latencyMs > 0) await sleep(this.ctx.deps.faults.latencyMs);
    const link = this.links.get(token);
    if (!link || link.foreign !== isForeign)
      return this.out.write(res, errorReply(404, 'err_link_not_found', 'Unknown download link'));
    if (link.used)
      return this.out.write(
        res,
        errorReply(410, 'err_link_already_used', 'The download link has already been used'),
      );
    if (this.ctx.deps.now() > link.expiresAt) {
      this.links.delete(token);
      return this.out.write(res, errorReply(410, 'err_link_expired', 'The download link has expired'));
    }
    link.used = true;
    const bytes = link.bytes;
    link.bytes = Buffer.alloc(0);
    this.out.writeBytes(res, 200, bytes, link.contentType, link.filename, link.trickle);
  }
}
