// POST /oauth/token (OAuth2 client credentials, form-encoded, no refresh token), bearer-token checks of
// the /api/... calls (missing, invalid, expired; 401 in the configured body shape), and the per-credential
// rate limit with its X-RateLimit-* headers and 429 answers.
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { RateLimiter, type RateDecision } from '../rate-limiter';
import type { SimContext } from './context';
import { envelope, errorReply, readBody, type Reply } from './envelope';
import type { ReplyWriter } from './reply-writer';

interface TokenRecord {
  clientId: string;
  issuedAt: number;
}

const BUCKET_DEFAULT = { limit: 1_000_000, windowMs: 60_000 };

const oauthError = (status: number, error: string, description: string): Reply => ({
  kind: 'json',
  status,
  body: { error, error_description: description },
});

export class AuthEndpoint {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly limiter: RateLimiter;

  constructor(
    private readonly ctx: SimContext,
    private readonly out: ReplyWriter,
  ) {
    const rl = ctx.deps.faults.rateLimit ?? BUCKET_DEFAULT;
    this.limiter = new RateLimiter(rl.limit, rl.windowMs);
  }

  /** Every access token issued so far (for secret scans of histories, logs and the index). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** The fault spec may change at run time (control surface): the bucket follows it. */
  configureLimiter(): void {
    const rl = this.ctx.deps.faults.rateLimit ?? BUCKET_DEFAULT;
    this.limiter.configure(rl.limit, rl.windowMs);
  }

  /** Takes one call from the credential's bucket. */
  take(clientId: string): RateDecision {
    return this.limiter.take(clientId, this.ctx.deps.now());
  }

  rateHeaders(d: RateDecision): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(d.limit),
      'X-RateLimit-Remaining': String(d.remaining),
      'X-RateLimit-Reset': String(d.resetMs),
    };
  }

  async handleToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.ctx.count('auth');
    this.configureLimiter();
    const raw = await readBody(req);
    const anon = () => this.rateHeaders(this.limiter.peek('anonymous', this.ctx.deps.now()));
    if (req.method !== 'POST')
      return this.out.write(res, oauthError(405, 'invalid_request', 'POST required'), anon());
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return this.out.write(
        res,
        oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded'),
        anon(),
      );
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return this.out.write(
        res,
        oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials'),
        anon(),
      );
    }
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    if (!clientId || !secret) {
      return this.out.write(
        res,
        oauthError(400, 'invalid_request', 'client_id and client_secret are required'),
        anon(),
      );
    }
    const cred = this.ctx.deps.credentials.find((c) => c.clientId === clientId && c.clientSecret === secret);
    if (!cred)
      return this.out.write(res, oauthError(401, 'invalid_client', 'Client authentication failed'), anon());
    const decision = this.take(cred.clientId);
    const headers = this.rateHeaders(decision);
    if (!decision.allowed) return this.tooMany(res, headers, decision);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId: cred.clientId, issuedAt: this.ctx.deps.now() });
    this.out.write(
      res,
      {
        kind: 'json',
        status: 200,
        body: {
          access_token: token,
          token_type: 'Bearer',
          expires_in: this.ctx.deps.tokenTtlSeconds,
          scope: '',
        },
      },
      headers,
    );
  }

  tooMany(res: http.ServerResponse, headers: Record<string, string>, decision: RateDecision): void {
    if (this.ctx.deps.faults.retryAfterHeader)
      headers['Retry-After'] = String(Math.max(1, Math.ceil(decision.resetMs / 1000)));
    this.out.write(res, errorReply(429, 'err_rate_limit_exceeded', 'Too many requests', true), headers);
  }

  /** Returns the client id of a valid token, or null after answering 401. */
  authenticate(req: http.IncomingMessage, res: http.ServerResponse): string | null {
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
    const now = this.ctx.deps.now();
    const ttl = this.ctx.deps.tokenTtlSeconds * 1000;
    const early = this.ctx.deps.faults.tokenExpireSeconds;
    if (now >= rec.issuedAt + ttl || (early !== null && now >= rec.issuedAt + early * 1000)) {
      this.unauthorized(res, 'token_expired', 'The access token has expired');
      return null;
    }
    return rec.clientId;
  }

  private unauthorized(res: http.ServerResponse, code: string, message: string): void {
    const shape = this.ctx.deps.switches.unauthorizedBody;
    const body =
      shape === 'oauth'
        ? { error: 'invalid_token', error_description: message }
        : shape === 'flat'
          ? { meta: { status: 401 }, data: [], fail: [{ code, message, retryable: false }] }
          : envelope([], [{ key: {}, errors: [{ code, message, retryable: false }] }], undefined, 401);
    this.out.write(
      res,
      { kind: 'json', status: 401, body },
      this.rateHeaders(this.limiter.peek('anonymous', this.ctx.deps.now())),
    );
  }
}
