// The HTTP side of the simulator: /oauth/token, the /api/... endpoints with Mimecast's envelope, quirks,
// switches and faults, one-time download links (same or foreign origin) and the /__control surface.
import http from 'node:http';
import { randomBytes, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Corpus, lowerBound, type Listing, type MessageSpec } from './corpus';
import {
  decodeAttachmentId,
  decodeMessageId,
  encodeAttachmentId,
  encodeMessageId,
  type MessageRef,
} from './opaque-ids';
import { MessageCache, attachmentsOf, bodies, buildRfc822, plainPart, type Context } from './message-builder';
import { decodePageToken, encodePageToken } from './page-tokens';
import { RateLimiter, type RateDecision } from './rate-limiter';
import { SeededRandom, hash32 } from './seeded-random';
import { defaultListWindow, formatMimecastDate, parseMimecastDate, rfc2822Date } from './mimecast-date';
import type { FaultSpec, SimulatorCredential, SimulatorSwitches, View } from './types';

export const API_PATHS = [
  '/api/domain/get-internal-domain',
  '/api/user/get-internal-users',
  '/api/archive/get-message-list',
  '/api/archive/get-message-detail',
  '/api/archive/get-message-part',
  '/api/archive/get-file',
  '/api/archive/search',
] as const;

interface TokenRecord {
  clientId: string;
  issuedAt: number;
}

interface LinkRecord {
  bytes: Buffer;
  contentType: string;
  filename: string | null;
  expiresAt: number;
  used: boolean;
  foreign: boolean;
}

interface FailItem {
  key: unknown;
  errors: { code: string; message: string; retryable: boolean; field?: string }[];
}

type Reply =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'empty'; status: number }
  | { kind: 'bytes'; status: number; bytes: Buffer; contentType: string; filename: string | null }
  | { kind: 'text'; status: number; text: string; contentType: string };

export interface ServerDeps {
  corpus: Corpus;
  credentials: SimulatorCredential[];
  tokenTtlSeconds: number;
  switches: SimulatorSwitches;
  faults: FaultSpec;
  now: () => number;
  seed: number;
  control: (op: string, body: unknown) => Promise<unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BUCKET_DEFAULT = { limit: 1_000_000, windowMs: 60_000 };

function fail(key: unknown, code: string, message: string, field?: string, retryable = false): FailItem {
  return { key, errors: [{ code, message, retryable, ...(field ? { field } : {}) }] };
}

function envelope(
  data: unknown[],
  failures: FailItem[] = [],
  pagination?: Record<string, unknown>,
  status = 200,
) {
  return { meta: { status, ...(pagination ? { pagination } : {}) }, data, fail: failures };
}

const ok = (data: unknown[], pagination?: Record<string, unknown>): Reply => ({
  kind: 'json',
  status: 200,
  body: envelope(data, [], pagination),
});
const fail200 = (f: FailItem | FailItem[]): Reply => ({
  kind: 'json',
  status: 200,
  body: envelope([], Array.isArray(f) ? f : [f]),
});

export class ApiServer {
  private tokens = new Map<string, TokenRecord>();
  private links = new Map<string, LinkRecord>();
  private readonly cache = new MessageCache(256);
  private readonly limiter: RateLimiter;
  private readonly faultRandom: SeededRandom;
  private readonly shuffleRandom: SeededRandom;
  private counterMap = new Map<string, number>();
  private foreignAuth = false;
  private downloadCounter = 0;
  private main?: http.Server;
  private foreign?: http.Server;
  url = '';
  foreignUrl = '';

  constructor(private readonly deps: ServerDeps) {
    const rl = deps.faults.rateLimit ?? BUCKET_DEFAULT;
    this.limiter = new RateLimiter(rl.limit, rl.windowMs);
    this.faultRandom = SeededRandom.of(deps.seed, 'faults');
    this.shuffleRandom = SeededRandom.of(deps.seed, 'shuffle');
  }

  // ---- lifecycle ----

  private mainPort = 0;
  private foreignPort = 0;

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

  // ---- counters ----

  count(key: string): void {
    this.counterMap.set(key, (this.counterMap.get(key) ?? 0) + 1);
  }
  counters(): Record<string, number> {
    return Object.fromEntries(this.counterMap);
  }
  resetCounters(): void {
    this.counterMap.clear();
  }
  foreignAuthorizationSeen(): boolean {
    return this.foreignAuth;
  }
  /** Every access token issued so far (for secret scans of histories, logs and the index). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }
  resetForeignAuthorization(): void {
    this.foreignAuth = false;
  }
  messageCache(): MessageCache {
    return this.cache;
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
        return await this.handleLink(req, res, path.slice('/__download/'.length), isForeign);
      if (isForeign)
        return this.write(res, {
          kind: 'json',
          status: 404,
          body: envelope([], [fail({}, 'err_not_found', 'Not found')], undefined, 404),
        });
      if (path.startsWith('/__control/'))
        return await this.handleControl(req, res, path.slice('/__control/'.length));
      if (path === '/oauth/token') return await this.handleToken(req, res);
      if (path.startsWith('/api/')) return await this.handleApi(req, res, path);
      this.write(res, {
        kind: 'json',
        status: 404,
        body: envelope([], [fail({}, 'err_not_found', 'Resource not found')], undefined, 404),
      });
    } catch (err) {
      if (!res.headersSent) {
        this.write(res, {
          kind: 'json',
          status: 500,
          body: envelope(
            [],
            [fail({}, 'err_internal', String((err as Error).message), undefined, true)],
            undefined,
            500,
          ),
        });
      } else res.destroy();
    }
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 5 * 1024 * 1024) {
          reject(new Error('request body too large'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private rateHeaders(d: RateDecision): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(d.limit),
      'X-RateLimit-Remaining': String(d.remaining),
      'X-RateLimit-Reset': String(d.resetMs),
    };
  }

  private configureLimiter(): void {
    const rl = this.deps.faults.rateLimit ?? BUCKET_DEFAULT;
    this.limiter.configure(rl.limit, rl.windowMs);
  }

  private write(
    res: http.ServerResponse,
    reply: Reply,
    headers: Record<string, string> = {},
    malformed = false,
  ): void {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (reply.status >= 400) this.count(reply.status >= 500 ? '5xx' : String(reply.status));
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
        this.writeBytes(res, reply.status, reply.bytes, reply.contentType, reply.filename);
        return;
    }
  }

  /** Download headers vary on purpose (no source documents them): with or without Content-Length / Content-Disposition. */
  private writeBytes(
    res: http.ServerResponse,
    status: number,
    bytes: Buffer,
    contentType: string,
    filename: string | null,
  ): void {
    const variant = this.downloadCounter++ % 3;
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (variant !== 1) headers['Content-Length'] = String(bytes.length);
    if (variant === 0 && filename)
      headers['Content-Disposition'] = `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, '_')}"`;
    if (variant === 2 && filename)
      headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`;
    res.writeHead(status, headers);
    const slow = this.deps.faults.slowDownloadMs;
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

  // ---- /oauth/token ----

  private async handleToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.count('auth');
    this.configureLimiter();
    const raw = await this.readBody(req);
    const anon = () => this.rateHeaders(this.limiter.peek('anonymous', this.deps.now()));
    if (req.method !== 'POST') {
      return this.write(
        res,
        { kind: 'json', status: 405, body: { error: 'invalid_request', error_description: 'POST required' } },
        anon(),
      );
    }
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return this.write(
        res,
        {
          kind: 'json',
          status: 400,
          body: {
            error: 'invalid_request',
            error_description: 'Content-Type must be application/x-www-form-urlencoded',
          },
        },
        anon(),
      );
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return this.write(
        res,
        {
          kind: 'json',
          status: 400,
          body: {
            error: 'unsupported_grant_type',
            error_description: 'grant_type must be client_credentials',
          },
        },
        anon(),
      );
    }
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    if (!clientId || !secret) {
      return this.write(
        res,
        {
          kind: 'json',
          status: 400,
          body: { error: 'invalid_request', error_description: 'client_id and client_secret are required' },
        },
        anon(),
      );
    }
    const cred = this.deps.credentials.find((c) => c.clientId === clientId && c.clientSecret === secret);
    if (!cred) {
      return this.write(
        res,
        {
          kind: 'json',
          status: 401,
          body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        },
        anon(),
      );
    }
    const decision = this.limiter.take(cred.clientId, this.deps.now());
    const headers = this.rateHeaders(decision);
    if (!decision.allowed) return this.tooMany(res, headers, decision);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId: cred.clientId, issuedAt: this.deps.now() });
    this.write(
      res,
      {
        kind: 'json',
        status: 200,
        body: { access_token: token, token_type: 'Bearer', expires_in: this.deps.tokenTtlSeconds, scope: '' },
      },
      headers,
    );
  }

  private tooMany(res: http.ServerResponse, headers: Record<string, string>, decision: RateDecision): void {
    if (this.deps.faults.retryAfterHeader)
      headers['Retry-After'] = String(Math.max(1, Math.ceil(decision.resetMs / 1000)));
    this.write(
      res,
      {
        kind: 'json',
        status: 429,
        body: envelope(
          [],
          [fail({}, 'err_rate_limit_exceeded', 'Too many requests', undefined, true)],
          undefined,
          429,
        ),
      },
      headers,
    );
  }

  private unauthorized(res: http.ServerResponse, code: string, message: string): void {
    const shape = this.deps.switches.unauthorizedBody;
    const body =
      shape === 'oauth'
        ? { error: 'invalid_token', error_description: message }
        : shape === 'flat'
          ? { meta: { status: 401 }, data: [], fail: [{ code, message, retryable: false }] }
          : envelope([], [{ key: {}, errors: [{ code, message, retryable: false }] }], undefined, 401);
    this.write(
      res,
      { kind: 'json', status: 401, body },
      this.rateHeaders(this.limiter.peek('anonymous', this.deps.now())),
    );
  }

  /** Returns the client id of a valid token, or null after answering 401. */
  private authenticate(req: http.IncomingMessage, res: http.ServerResponse): string | null {
    const header = String(req.headers.authorization ?? '');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      this.unauthorized(res, 'token_missing', 'Authorization header with a Bearer token is required');
      return null;
    }
    const rec = this.tokens.get(m[1]);
    if (!rec) {
      this.unauthorized(res, 'token_invalid', 'The access token is invalid');
      return null;
    }
    const now = this.deps.now();
    const ttl = this.deps.tokenTtlSeconds * 1000;
    const early = this.deps.faults.tokenExpireSeconds;
    if (now >= rec.issuedAt + ttl || (early !== null && now >= rec.issuedAt + early * 1000)) {
      this.unauthorized(res, 'token_expired', 'The access token has expired');
      return null;
    }
    return rec.clientId;
  }

  // ---- /api/* ----

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    this.count(path);
    this.configureLimiter();
    const raw = await this.readBody(req);
    const faults = this.deps.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (!(API_PATHS as readonly string[]).includes(path)) {
      return this.write(res, {
        kind: 'json',
        status: 404,
        body: envelope([], [fail({}, 'err_not_found', `No such endpoint ${path}`)], undefined, 404),
      });
    }
    if (req.method !== 'POST') {
      return this.write(
        res,
        {
          kind: 'json',
          status: 405,
          body: envelope([], [fail({}, 'err_method_not_allowed', 'Only POST is supported')], undefined, 405),
        },
        { Allow: 'POST' },
      );
    }
    const clientId = this.authenticate(req, res);
    if (clientId === null) return;
    const decision = this.limiter.take(clientId, this.deps.now());
    const headers = this.rateHeaders(decision);
    if (!decision.allowed) return this.tooMany(res, headers, decision);
    if (faults.rate429 > 0 && this.faultRandom.chance(faults.rate429)) {
      return this.tooMany(res, headers, {
        ...decision,
        resetMs: Math.max(decision.resetMs, 200 + this.faultRandom.int(800)),
      });
    }
    if (faults.rate5xx > 0 && this.faultRandom.chance(faults.rate5xx)) {
      const status = [500, 502, 503, 504][this.faultRandom.int(4)];
      if (status === 500)
        return this.write(
          res,
          {
            kind: 'json',
            status,
            body: envelope(
              [],
              [fail({}, 'err_internal_server_error', 'Internal server error', undefined, true)],
              undefined,
              500,
            ),
          },
          headers,
        );
      if (status === 502)
        return this.write(
          res,
          {
            kind: 'text',
            status,
            text: '<html><body><h1>502 Bad Gateway</h1></body></html>',
            contentType: 'text/html',
          },
          headers,
        );
      if (status === 503) return this.write(res, { kind: 'empty', status }, headers);
      return this.write(
        res,
        { kind: 'text', status, text: 'upstream request timeout', contentType: 'text/plain' },
        headers,
      );
    }
    const sw = this.deps.switches;
    if (sw.roleMissingEndpoints.includes(path)) {
      return this.write(
        res,
        {
          kind: 'json',
          status: 403,
          body: envelope(
            [],
            [
              fail(
                {},
                'err_xdk_operation_forbidden',
                'Forbidden: the role lacks the permission for this operation',
              ),
            ],
            undefined,
            403,
          ),
        },
        headers,
      );
    }
    if (sw.forbiddenEndpoints.includes(path)) {
      const item = fail(
        {},
        'app_forbidden',
        'Resource or method requested does not exist in any product assigned to the application.',
      );
      return this.write(
        res,
        sw.appForbidden === '403'
          ? { kind: 'json', status: 403, body: envelope([], [item], undefined, 403) }
          : fail200(item),
        headers,
      );
    }
    let body: { meta?: { pagination?: { pageSize?: unknown; pageToken?: unknown } }; data?: unknown };
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return this.write(
        res,
        {
          kind: 'json',
          status: 400,
          body: envelope(
            [],
            [fail({}, 'err_invalid_request_body', 'The request body is not a JSON object')],
            undefined,
            400,
          ),
        },
        headers,
      );
    }
    const reply = this.route(path, body);
    if (reply.kind === 'bytes' && sw.download !== 'bytes') {
      return this.write(
        res,
        this.linkReply(reply, String(req.headers.host ?? '')),
        headers,
        this.malformed(),
      );
    }
    this.write(res, reply, headers, reply.kind === 'json' && reply.status === 200 && this.malformed());
  }

  private malformed(): boolean {
    const rate = this.deps.faults.malformedJsonRate;
    return rate > 0 && this.faultRandom.chance(rate);
  }

  private route(
    path: string,
    body: { meta?: { pagination?: { pageSize?: unknown; pageToken?: unknown } }; data?: unknown },
  ): Reply {
    const data = body.data;
    if (data !== undefined && !Array.isArray(data))
      return fail200(fail({}, 'err_validation_invalid_type', 'data must be an array', 'data'));
    const items = (data ?? []) as unknown[];
    const one = (): Reply | null => {
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
    };
    const pagination = body.meta?.pagination ?? {};
    switch (path) {
      case '/api/domain/get-internal-domain':
        if (items.length > 500)
          return fail200(fail({}, 'err_validation_too_many_items', 'at most 500 items', 'data'));
        return this.internalDomains(items as Record<string, unknown>[]);
      case '/api/user/get-internal-users':
        if (items.length > 1)
          return fail200(
            items.map((k) =>
              fail(k, 'err_validation_too_many_items', 'data must contain at most one item', 'data'),
            ),
          );
        return this.internalUsers((items[0] ?? {}) as Record<string, unknown>, pagination);
      case '/api/archive/search':
        return one() ?? this.search(items[0] as Record<string, unknown>);
      case '/api/archive/get-message-list':
        return one() ?? this.messageList(items[0] as Record<string, unknown>, pagination);
      case '/api/archive/get-message-detail':
        return one() ?? this.messageDetail(items[0] as Record<string, unknown>);
      case '/api/archive/get-message-part':
        return one() ?? this.messagePart(items[0] as Record<string, unknown>);
      case '/api/archive/get-file':
        return one() ?? this.getFile(items[0] as Record<string, unknown>);
    }
    return { kind: 'empty', status: 404 };
  }

  // ---- directory ----

  private internalDomains(items: Record<string, unknown>[]): Reply {
    const all = this.deps.corpus.listDomains();
    if (!items.length) return ok(all);
    const failures: FailItem[] = [];
    const out = [];
    for (const item of items) {
      const d = item?.domain;
      if (d === undefined || d === null)
        failures.push(fail(item, 'err_validation_null', 'domain is required', 'domain'));
      else if (typeof d !== 'string' || !d.trim())
        failures.push(fail(item, 'err_validation_blank', 'domain must not be blank', 'domain'));
      else {
        const hit = all.find((x) => x.domain === d.toLowerCase());
        if (hit) out.push(hit);
      }
    }
    return { kind: 'json', status: 200, body: envelope(out, failures) };
  }

  private internalUsers(
    item: Record<string, unknown>,
    pagination: { pageSize?: unknown; pageToken?: unknown },
  ): Reply {
    const d = item.domain;
    if (d !== undefined && (typeof d !== 'string' || !d.trim()))
      return fail200(fail(item, 'err_validation_blank', 'domain must not be blank', 'domain'));
    const users = this.deps.corpus
      .listUsers()
      .filter((u) => d === undefined || u.domain === String(d).toLowerCase());
    const page = this.page(['users', d ?? ''], users.length, pagination, item);
    if ('reply' in page) return page.reply;
    const slice = users
      .slice(page.offset, page.offset + page.pageSize)
      .map(({ emailAddress, addressType, alias, name }) => ({ emailAddress, addressType, alias, name }));
    return ok([{ users: slice, userCount: users.length }], page.meta(slice.length));
  }

  // ---- paging ----

  /** Validates pageSize/pageToken for a query and prepares the pagination block. */
  private page(
    queryParts: unknown[],
    total: number,
    pagination: { pageSize?: unknown; pageToken?: unknown },
    key: unknown,
  ):
    | { reply: Reply }
    | {
        offset: number;
        pageSize: number;
        shuffle: number;
        meta: (returned: number) => Record<string, unknown>;
      } {
    const sw = this.deps.switches;
    let pageSize = 100;
    if (pagination.pageSize !== undefined) {
      const n = Number(pagination.pageSize);
      if (!Number.isInteger(n) || n < 1)
        return {
          reply: fail200(
            fail(key, 'err_validation_invalid_page_size', 'pageSize must be a positive integer', 'pageSize'),
          ),
        };
      pageSize = Math.min(n, sw.pageSizeCap);
    }
    const q = hash32(JSON.stringify(queryParts), sw.pageTokenBinding ? pageSize : 0);
    const now = this.deps.now();
    let offset = 0;
    let shuffle = this.shuffleRandom.int(0x7fffffff);
    if (pagination.pageToken !== undefined && pagination.pageToken !== null && pagination.pageToken !== '') {
      const state = decodePageToken(pagination.pageToken);
      if (!state)
        return {
          reply: fail200(
            fail(key, 'err_validation_invalid_page_token', 'The page token is not valid', 'pageToken'),
          ),
        };
      if (sw.pageTokenBinding && state.q !== q) {
        return {
          reply: fail200(
            fail(
              key,
              'err_validation_page_token_mismatch',
              'The page token does not belong to this query',
              'pageToken',
            ),
          ),
        };
      }
      if (sw.pageTokenTtlSeconds !== null && now - state.t > sw.pageTokenTtlSeconds * 1000) {
        return {
          reply: fail200(
            fail(key, 'err_validation_page_token_expired', 'The page token has expired', 'pageToken'),
          ),
        };
      }
      offset = state.o;
      shuffle = state.s;
    }
    const meta = (returned: number) => {
      const m: Record<string, unknown> = sw.totalCount ? { pageSize, totalCount: total } : { pageSize };
      const end = offset + pageSize;
      if (end < total || (sw.lastPage === 'empty-with-next' && (returned > 0 || offset >= total))) {
        m.next = encodePageToken({ q, o: Math.min(end, Math.max(total, offset)), t: now, s: shuffle });
      }
      if (offset > 0)
        m.previous = encodePageToken({ q, o: Math.max(0, offset - pageSize), t: now, s: shuffle });
      return m;
    };
    return { offset, pageSize, shuffle, meta };
  }

  // ---- archive ----

  private validateMailbox(item: Record<string, unknown>, field = 'mailbox'): Reply | null {
    const v = item[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !v.trim())
      return fail200(fail(item, 'err_validation_blank', `${field} must not be blank`, field));
    if (!EMAIL.test(v))
      return fail200(
        fail(item, 'err_validation_invalid_email_address', `${field} is not a valid email address`, field),
      );
    return null;
  }

  private messageList(
    item: Record<string, unknown>,
    pagination: { pageSize?: unknown; pageToken?: unknown },
  ): Reply {
    const bad = this.validateMailbox(item);
    if (bad) return bad;
    const view = item.view ?? 'INBOX';
    if (view !== 'INBOX' && view !== 'SENT')
      return fail200(fail(item, 'err_validation_invalid_value', 'view must be INBOX or SENT', 'view'));
    const window = defaultListWindow(this.deps.now());
    const dates: Record<'start' | 'end', number> = { start: window.start, end: window.end };
    for (const f of ['start', 'end'] as const) {
      const v = item[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || !v.trim())
        return fail200(fail(item, 'err_validation_blank', `${f} must not be blank`, f));
      const ms = parseMimecastDate(v);
      if (ms === null)
        return fail200(
          fail(
            item,
            'err_validation_invalid_date_format',
            `${f} must be formatted yyyy-MM-ddTHH:mm:ss+0000`,
            f,
          ),
        );
      dates[f] = ms;
    }
    for (const f of ['includeAliases', 'includeDelegates'] as const) {
      if (item[f] !== undefined && typeof item[f] !== 'boolean')
        return fail200(fail(item, 'err_validation_invalid_type', `${f} must be a boolean`, f));
    }
    const mailbox = typeof item.mailbox === 'string' ? item.mailbox.toLowerCase() : null;
    const includeAliases = item.includeAliases !== false;
    const includeDelegates = item.includeDelegates === true;
    const startSec = Math.floor(dates.start / 1000);
    const endSec = Math.floor(dates.end / 1000);
    const corpus = this.deps.corpus;
    const listing: Listing =
      mailbox && startSec <= endSec
        ? corpus.list({ mailbox, view, startSec, endSec, includeAliases, includeDelegates })
        : { count: 0, times: new Float64Array(0), mbx: 0, refs: new Int32Array(0) };
    const page = this.page(
      ['list', mailbox, view, startSec, endSec, includeAliases, includeDelegates],
      listing.count,
      pagination,
      item,
    );
    if ('reply' in page) return page.reply;
    const order = this.deps.switches.listOrder;
    const records = [];
    for (let p = page.offset; p < Math.min(listing.count, page.offset + page.pageSize); p++) {
      let a = order === 'oldest-first' ? p : listing.count - 1 - p;
      if (order === 'unstable') a = permuteWithinSecond(listing.times, a, page.shuffle);
      const m = typeof listing.mbx === 'number' ? listing.mbx : listing.mbx[a];
      const spec = corpus.specUnchecked(corpus.refFor(m, view, listing.refs[a]));
      records.push(this.listRecord(spec));
    }
    return ok(records, page.meta(records.length));
  }

  private listRecord(spec: MessageSpec) {
    const to = this.deps.switches.listToShape === 'array' ? spec.to : spec.to[0];
    return {
      id: spec.id,
      subject: spec.subject,
      from: spec.from,
      to,
      received: formatMimecastDate(spec.receivedSec * 1000),
      size: spec.sizeEstimate,
      attachmentCount: spec.attachments.length,
      status: 'ARCHIVED',
      smash: createHash('sha1').update(spec.id).digest('hex'),
      read: spec.read,
      ccm: false,
      recalled: spec.recalled,
      expired: spec.expired,
    };
  }

  /** Looks up a message id: a Reply for errors (400 empty for malformed, fail[] otherwise), or the spec. */
  private resolveMessage(item: Record<string, unknown>, field = 'id'): Reply | MessageSpec {
    const id = item[field];
    if (id === undefined || id === null)
      return fail200(fail(item, 'err_validation_null', `${field} is required`, field));
    if (typeof id !== 'string' || !id.trim())
      return fail200(fail(item, 'err_validation_blank', `${field} must not be blank`, field));
    const ref = decodeMessageId(id);
    if (!ref) return { kind: 'empty', status: 400 };
    if (this.deps.faults.failIds.includes(id))
      return fail200(
        fail(item, 'err_message_retrieval_failed', 'The message could not be retrieved', field, false),
      );
    const spec = this.deps.corpus.spec(ref);
    if (!spec)
      return fail200(fail(item, 'err_message_not_found', 'The message was not found in the archive', field));
    return spec;
  }

  rfc822(spec: MessageSpec, context: Context): Buffer {
    return this.cache.get(`${spec.id}:${context}`, () => buildRfc822(spec, context));
  }

  private messageDetail(item: Record<string, unknown>): Reply {
    const r = this.resolveMessage(item);
    if ('kind' in r) return r;
    const spec = r;
    const raw = this.rfc822(spec, 'RECEIVED');
    const atts = attachmentsOf(spec);
    const { html, text } = bodies(spec);
    const received = spec.receivedSec * 1000;
    return ok([
      {
        id: spec.id,
        subject: spec.subject,
        status: spec.expired ? 'Expired' : 'Active',
        smash: createHash('sha1').update(spec.id).digest('hex'),
        mimeMessageId: `<${spec.marker}@mail.${spec.from.emailAddress.split('@')[1]}>`,
        received: formatMimecastDate(received),
        processed: formatMimecastDate(received + 1000),
        headerDate: rfc2822Date(received - 7000),
        size: raw.length,
        from: spec.from,
        replyTo: spec.replyTo,
        envelopeFrom: spec.envelopeFrom,
        to: spec.to,
        cc: spec.cc,
        headers: [
          { name: 'X-Mailer', values: ['Mimecast Simulator'] },
          { name: 'MIME-Version', values: ['1.0'] },
        ],
        hasHtmlBody: html !== null,
        messageBodyPreview: (text ?? plainPart(spec, 'RECEIVED')).slice(0, 120),
        attachments: atts.map((a, i) => ({
          id: encodeAttachmentIdFor(spec.ref, i),
          filename: a.filename ?? '',
          extension: a.extension,
          contentType: a.contentType,
          contentId: a.contentId,
          size: a.bytes.length,
          sha256: a.sha256,
          bodyType: 5,
        })),
        recalled: spec.recalled,
        expired: spec.expired,
      },
    ]);
  }

  private messagePart(item: Record<string, unknown>): Reply {
    const bad = this.validateMailbox(item);
    if (bad) return bad;
    const type = item.type;
    if (type === undefined || type === null)
      return fail200(fail(item, 'err_validation_null', 'type is required', 'type'));
    if (!['RFC822', 'PLAIN', 'HTML', 'TRANSMISSION_MESSAGE_BODY'].includes(String(type))) {
      return fail200(
        fail(
          item,
          'err_validation_invalid_value',
          'type must be one of HTML, PLAIN, RFC822, TRANSMISSION_MESSAGE_BODY',
          'type',
        ),
      );
    }
    const context = item.context ?? 'RECEIVED';
    if (context !== 'RECEIVED' && context !== 'DELIVERED')
      return fail200(
        fail(item, 'err_validation_invalid_value', 'context must be RECEIVED or DELIVERED', 'context'),
      );
    const r = this.resolveMessage(item);
    if ('kind' in r) return r;
    const spec = r;
    const refused = this.deps.switches.rfc822Refused;
    if (type === 'RFC822') {
      if (refused === true || (Array.isArray(refused) && refused.includes(spec.id))) {
        return fail200(
          fail(
            item,
            'err_message_part_unavailable',
            'The RFC822 content of this message is not available',
            'type',
          ),
        );
      }
      const bytes = this.rfc822(spec, context);
      return {
        kind: 'bytes',
        status: 200,
        bytes,
        contentType: spec.ref.index % 2 ? 'message/rfc822' : 'application/octet-stream',
        filename: `${spec.marker}.eml`,
      };
    }
    if (type === 'HTML') {
      const { html } = bodies(spec, context);
      if (html === null)
        return fail200(fail(item, 'err_message_part_not_found', 'The message has no HTML body', 'type'));
      return {
        kind: 'bytes',
        status: 200,
        bytes: Buffer.from(html),
        contentType: 'text/html; charset=utf-8',
        filename: null,
      };
    }
    return {
      kind: 'bytes',
      status: 200,
      bytes: Buffer.from(plainPart(spec, context)),
      contentType: 'text/plain; charset=utf-8',
      filename: null,
    };
  }

  private getFile(item: Record<string, unknown>): Reply {
    const id = item.id;
    if (id === undefined || id === null)
      return fail200(fail(item, 'err_validation_null', 'id is required', 'id'));
    if (typeof id !== 'string' || !id.trim())
      return fail200(fail(item, 'err_validation_blank', 'id must not be blank', 'id'));
    const ref = decodeAttachmentId(id);
    if (!ref) return { kind: 'empty', status: 400 };
    const messageId = encodeMessageIdFor(ref);
    if (this.deps.faults.failIds.includes(id) || this.deps.faults.failIds.includes(messageId)) {
      return fail200(fail(item, 'err_file_retrieval_failed', 'The file could not be retrieved', 'id'));
    }
    const spec = this.deps.corpus.spec(ref);
    const att = spec ? attachmentsOf(spec)[ref.attachment] : undefined;
    if (!spec || !att)
      return fail200(fail(item, 'err_file_not_found', 'The file was not found in the archive', 'id'));
    const ct = ref.index % 3 === 0 ? 'application/octet-stream' : att.contentType;
    return {
      kind: 'bytes',
      status: 200,
      bytes: att.bytes,
      contentType: ct === 'application/json' ? 'application/octet-stream' : ct,
      filename: att.filename,
    };
  }

  private search(item: Record<string, unknown>): Reply {
    const query = item.query;
    if (query === undefined || query === null)
      return fail200(fail(item, 'err_validation_null', 'query is required', 'query'));
    if (typeof query !== 'string' || !query.trim().startsWith('<'))
      return fail200(fail(item, 'err_invalid_search_xml', 'The search query is not valid XML', 'query'));
    // Search is not used by the crawler; with admin:false the real service answers an empty result.
    return ok([{ items: [], queryDuration: 1 }], { pageSize: 25, recordStart: 0 });
  }

  // ---- links ----

  /** Links use the host name the client called (so they work behind docker service names), on our ports. */
  private linkReply(reply: Extract<Reply, { kind: 'bytes' }>, requestHost: string): Reply {
    const sw = this.deps.switches;
    const token = randomBytes(18).toString('base64url');
    const foreign = sw.linkOrigin === 'foreign';
    this.links.set(token, {
      bytes: reply.bytes,
      contentType: reply.contentType,
      filename: reply.filename,
      expiresAt: this.deps.now() + 300_000,
      used: false,
      foreign,
    });
    const hostname = /^[A-Za-z0-9.-]+(:\d+)?$/.test(requestHost)
      ? requestHost.replace(/:\d+$/, '')
      : new URL(this.url).hostname;
    const url = `http://${hostname}:${foreign ? this.foreignPort : this.mainPort}/__download/${token}`;
    return ok([sw.download === 'links' ? { urls: [url] } : { url }]);
  }

  private async handleLink(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    token: string,
    isForeign: boolean,
  ): Promise<void> {
    this.count('link-get');
    if (isForeign && req.headers.authorization) this.foreignAuth = true;
    await this.readBody(req);
    if (req.method !== 'GET')
      return this.write(res, {
        kind: 'json',
        status: 405,
        body: envelope([], [fail({}, 'err_method_not_allowed', 'Only GET is supported')], undefined, 405),
      });
    if (this.deps.faults.latencyMs > 0) await sleep(this.deps.faults.latencyMs);
    const link = this.links.get(token);
    if (!link || link.foreign !== isForeign)
      return this.write(res, {
        kind: 'json',
        status: 404,
        body: envelope([], [fail({}, 'err_link_not_found', 'Unknown download link')], undefined, 404),
      });
    if (link.used)
      return this.write(res, {
        kind: 'json',
        status: 410,
        body: envelope(
          [],
          [fail({}, 'err_link_already_used', 'The download link has already been used')],
          undefined,
          410,
        ),
      });
    if (this.deps.now() > link.expiresAt) {
      this.links.delete(token);
      return this.write(res, {
        kind: 'json',
        status: 410,
        body: envelope([], [fail({}, 'err_link_expired', 'The download link has expired')], undefined, 410),
      });
    }
    link.used = true;
    const bytes = link.bytes;
    link.bytes = Buffer.alloc(0);
    this.writeBytes(res, 200, bytes, link.contentType, link.filename);
  }

  // ---- control ----

  private async handleControl(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    op: string,
  ): Promise<void> {
    const raw = await this.readBody(req);
    let body: unknown = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'body is not JSON' }));
      return;
    }
    try {
      const result = await this.deps.control(op, body);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: result ?? null }));
    } catch (err) {
      res.writeHead((err as { status?: number }).status ?? 400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: (err as Error).message }));
    }
  }
}

function encodeAttachmentIdFor(ref: MessageRef, i: number): string {
  return encodeAttachmentId(ref, i);
}
function encodeMessageIdFor(ref: MessageRef): string {
  return encodeMessageId({ kind: ref.kind, mailboxIdx: ref.mailboxIdx, view: ref.view, index: ref.index });
}

/** 'unstable' order: a seeded bijection inside each run of equal received seconds. */
export function permuteWithinSecond(times: Float64Array, a: number, seed: number): number {
  const t = times[a];
  const g0 = lowerBound(times, t);
  const g1 = lowerBound(times, t + 1);
  const size = g1 - g0;
  if (size < 2) return a;
  let mult = (hash32(seed, t) % size) | 1;
  while (gcd(mult, size) !== 1) mult += 2;
  const add = hash32(seed, t, 'add') % size;
  return g0 + ((mult * (a - g0) + add) % size);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export type { View };
