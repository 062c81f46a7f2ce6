// The HTTP side of the simulator: a thin router over the endpoint modules in simulator/endpoints/ —
// auth (/oauth/token, bearer checks, rate limit), directory, archive (list and content), download links
// and the /__control surface — with the faults and switches of an /api/... call applied in one place.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageSpec } from './message-spec';
import type { Context } from './message-builder';
import { injectedFault, malformedDraw } from './endpoints/api-faults';
import { ArchiveContent } from './endpoints/archive-content';
import { messageList } from './endpoints/archive-list';
import { AuthEndpoint } from './endpoints/auth';
import { SimContext, type ServerDeps } from './endpoints/context';
import { handleControl } from './endpoints/control';
import { internalDomains, internalUsers } from './endpoints/directory';
import {
  errorReply,
  fail,
  fail200,
  readBody,
  sleep,
  type ApiRequestBody,
  type Reply,
} from './endpoints/envelope';
import { DownloadLinks } from './endpoints/links';
import { ReplyWriter } from './endpoints/reply-writer';

export type { ServerDeps } from './endpoints/context';
export { permuteWithinSecond } from './endpoints/archive-list';

export const API_PATHS = [
  '/api/domain/get-internal-domain',
  '/api/user/get-internal-users',
  '/api/archive/get-message-list',
  '/api/archive/get-message-detail',
  '/api/archive/get-message-part',
  '/api/archive/get-file',
  '/api/archive/search',
] as const;

type ApiPath = (typeof API_PATHS)[number];

export class ApiServer {
  private readonly ctx: SimContext;
  private readonly out: ReplyWriter;
  private readonly auth: AuthEndpoint;
  private readonly archive: ArchiveContent;
  private readonly links: DownloadLinks;
  private readonly routes: Record<ApiPath, (items: unknown[], body: ApiRequestBody) => Reply>;
  private main?: http.Server;
  private foreign?: http.Server;
  private mainPort = 0;
  private foreignPort = 0;
  url = '';
  foreignUrl = '';

  constructor(private readonly deps: ServerDeps) {
    this.ctx = new SimContext(deps);
    this.out = new ReplyWriter(this.ctx);
    this.auth = new AuthEndpoint(this.ctx, this.out);
    this.archive = new ArchiveContent(this.ctx);
    this.links = new DownloadLinks(this.ctx, this.out, () => ({
      url: this.url,
      mainPort: this.mainPort,
      foreignPort: this.foreignPort,
    }));
    const page = (body: ApiRequestBody) => body.meta?.pagination ?? {};
    // Archive calls take exactly one data item (exactlyOne); the directory validates its own counts.
    const one = (handler: (item: Record<string, unknown>) => Reply) => (items: unknown[]) =>
      exactlyOne(items) ?? handler(items[0] as Record<string, unknown>);
    this.routes = {
      '/api/domain/get-internal-domain': (items) => internalDomains(this.ctx, items),
      '/api/user/get-internal-users': (items, body) => internalUsers(this.ctx, items, page(body)),
      '/api/archive/search': one((item) => this.archive.search(item)),
      '/api/archive/get-message-list': (items, body) =>
        exactlyOne(items) ?? messageList(this.ctx, items[0] as Record<string, unknown>, page(body)),
      '/api/archive/get-message-detail': one((item) => this.archive.messageDetail(item)),
      '/api/archive/get-message-part': one((item) => this.archive.messagePart(item)),
      '/api/archive/get-file': one((item) => this.archive.getFile(item)),
    };
  }

  // ---- lifecycle ----

  async listen(port: number, foreignPort: number, host = '127.0.0.1'): Promise<void> {
    this.main = http.createServer((req, res) => void this.dispatch(req, res, false));
    this.foreign = http.createServer((req, res) => void this.dispatch(req, res, true));
    const open = (s: http.Server, p: number) =>
      new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen(p, host, () => resolve((s.address() as AddressInfo).port));
      });
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.mainPort = await open(this.main, port);
    this.foreignPort = await open(this.foreign, foreignPort);
    this.url = `http://${shown}:${this.mainPort}`;
    this.foreignUrl = `http://${shown}:${this.foreignPort}`;
  }

  async close(): Promise<void> {
    for (const s of [this.main, this.foreign]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  // ---- what the control surface reads ----

  counters(): Record<string, number> {
    return this.ctx.counters();
  }
  resetCounters(): void {
    this.ctx.resetCounters();
  }
  foreignAuthorizationSeen(): boolean {
    return this.links.foreignAuthorizationSeen();
  }
  /** Every access token issued so far (for secret scans of histories, logs and the index). */
  issuedTokens(): string[] {
    return this.auth.issuedTokens();
  }
  rfc822(spec: MessageSpec, context: Context): Buffer {
    return this.archive.rfc822(spec, context);
  }

  // ---- dispatch ----

  private async dispatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    isForeign: boolean,
  ): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path.startsWith('/__download/'))
        return await this.links.handleLink(req, res, path.slice('/__download/'.length), isForeign);
      if (isForeign) return this.out.write(res, errorReply(404, 'err_not_found', 'Not found'));
      if (path.startsWith('/__control/'))
        return await handleControl(req, res, path.slice('/__control/'.length), this.deps.control);
      if (path === '/oauth/token') return await this.auth.handleToken(req, res);
      if (path.startsWith('/api/')) return await this.handleApi(req, res, path);
      this.out.write(res, errorReply(404, 'err_not_found', 'Resource not found'));
    } catch (err) {
      if (!res.headersSent)
        this.out.write(res, errorReply(500, 'err_internal', String((err as Error).message), true));
      else res.destroy();
    }
  }

  /** Count, latency, method, bearer token, rate limit, injected faults, body, endpoint, download form. */
  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    this.ctx.count(path);
    this.auth.configureLimiter();
    const raw = await readBody(req);
    if (this.deps.faults.latencyMs > 0) await sleep(this.deps.faults.latencyMs);
    if (!(API_PATHS as readonly string[]).includes(path))
      return this.out.write(res, errorReply(404, 'err_not_found', `No such endpoint ${path}`));
    if (req.method !== 'POST')
      return this.out.write(res, errorReply(405, 'err_method_not_allowed', 'Only POST is supported'), {
        Allow: 'POST',
      });
    const clientId = this.auth.authenticate(req, res);
    if (clientId === null) return;
    const decision = this.auth.take(clientId);
    const headers = this.auth.rateHeaders(decision);
    if (!decision.allowed) return this.auth.tooMany(res, headers, decision);
    const fault = injectedFault(this.ctx, path, decision);
    if (fault && 'throttle' in fault) return this.auth.tooMany(res, headers, fault.throttle);
    if (fault) return this.out.write(res, fault.reply, headers);
    let body: ApiRequestBody;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return this.out.write(
        res,
        errorReply(400, 'err_invalid_request_body', 'The request body is not a JSON object'),
        headers,
      );
    }
    const reply = this.route(path as ApiPath, body);
    if (reply.kind === 'bytes' && this.deps.switches.download !== 'bytes') {
      const link = this.links.linkReply(reply, String(req.headers.host ?? ''));
      return this.out.write(res, link, headers, malformedDraw(this.ctx));
    }
    this.out.write(
      res,
      reply,
      headers,
      reply.kind === 'json' && reply.status === 200 && malformedDraw(this.ctx),
    );
  }

  private route(path: ApiPath, body: ApiRequestBody): Reply {
    const data = body.data;
    if (data !== undefined && !Array.isArray(data))
      return fail200(fail({}, 'err_validation_invalid_type', 'data must be an array', 'data'));
    return this.routes[path]((data ?? []) as unknown[], body);
  }
}

/** A fail[] unless `data` holds exactly one object; null when it does. */
function exactlyOne(items: unknown[]): Reply | null {
  if (items.length === 0)
    return fail200(fail({}, 'err_validation_null', 'data must contain exactly one item', 'data'));
  if (items.length > 1)
    return fail200(
      items.map((k) =>
        fail(k, 'err_validation_too_many_items', 'data must contain exactly one item', 'data'),
      ),
    );
  if (typeof items[0] !== 'object' || items[0] === null || Array.isArray(items[0]))
    return fail200(fail(items[0], 'err_validation_invalid_type', 'data[0] must be an object', 'data'));
  return null;
}
