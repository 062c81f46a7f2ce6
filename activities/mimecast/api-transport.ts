// The HTTP layer shared by every client of one (credential, apiEndpoint, authEndpoint) in a worker
// process: bearer auth with the token cache, the per-app concurrency budget and throttle gate,
// bounded retries of 5xx and network errors, the envelope's fail[] check, link GETs, tracing,
// stats and metrics.
import { request, type Dispatcher } from 'undici';
import { ItemError } from '../../common/node/errors';
import type { BudgetSlot } from './api-budget';
import { CallAdmission } from './call-admission';
import type { ApiResult, CallContext, LinkResult } from './call-context';
import { isDevelopmentHost, isLoopback, type ResolvedCredential } from './credentials';
import {
  forbiddenError,
  MimecastFunctionError,
  MimecastHttpError,
  MimecastResponseError,
  SourceError,
} from './errors';
import { discard, header, isJsonContentType, readCapped, readJsonLenient, readText } from './http-body';
import { failDetails, MimecastEnvelope, parseResponse } from './responses';
import type { ApiStats } from './stats';
import type { TokenCache } from './token-cache';
import { requestToken } from './token-request';
import type { ApiTracer } from './trace';
import { describeDetails, networkError } from './transport-failures';
import type { TransportParts } from './transport-parts';

export class ApiTransport {
  readonly credential: ResolvedCredential;
  readonly apiBase: URL;
  readonly authUrl: URL;
  readonly tokens: TokenCache;
  readonly stats: ApiStats;
  private readonly parts: TransportParts;
  private readonly admission: CallAdmission;
  /** Tracer and multiplier of the view whose call triggered the current token request. */
  private tokenTracer?: ApiTracer;
  private tokenRetryAfterMultiplier = 1000;

  constructor(parts: TransportParts) {
    this.parts = parts;
    this.admission = new CallAdmission(parts);
    this.credential = parts.credential;
    this.apiBase = parts.apiBase;
    this.authUrl = parts.authUrl;
    this.tokens = parts.tokens;
    this.stats = parts.stats;
  }

  endpointUrl(endpoint: string): URL {
    return new URL(this.apiBase.pathname.replace(/\/+$/, '') + endpoint, this.apiBase.origin);
  }

  private async backoff(failures: number, ctx: CallContext): Promise<void> {
    const { baseDelayMs, maxDelayMs } = this.parts.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    await this.admission.wait(ceiling / 2 + Math.random() * (ceiling / 2), ctx, false);
  }

  private account(endpoint: string, status: number | 'error', ms: number): void {
    this.stats.record(endpoint, status);
    this.parts.metrics?.apiCall(endpoint, status === 'error' ? 0 : status, ms);
  }

  async token(ctx: CallContext): Promise<string> {
    this.tokenTracer = ctx.tracer;
    this.tokenRetryAfterMultiplier = ctx.retryAfterMultiplier;
    return this.tokens.get(ctx.authTokenOffsetSeconds);
  }

  /** POSTs the client-credentials form (the single flight of TokenCache calls this). */
  fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    return requestToken(
      this.parts,
      { tracer: () => this.tokenTracer, retryAfterMultiplier: () => this.tokenRetryAfterMultiplier },
      (endpoint, status, ms) => this.account(endpoint, status, ms),
    );
  }

  /**
   * One API function call: POST + JSON body, bearer token, throttle gate, 401 → one refresh,
   * 429 → pause and retry, 5xx/network/malformed JSON → bounded retries, fail[] → typed errors.
   * With `download`, a non-JSON 2xx body is streamed as bytes within maxBytes.
   */
  async post(
    endpoint: string,
    payload: unknown,
    ctx: CallContext,
    download?: { maxBytes: number; what: string },
  ): Promise<ApiResult> {
    const held: { slot?: BudgetSlot } = {};
    try {
      return await this.postAttempts(endpoint, payload, ctx, download, held);
    } finally {
      this.admission.releaseSlot(held.slot);
    }
  }

  /** The attempts of post(); each holds a budget slot from before the throttle gate to its end. */
  private async postAttempts(
    endpoint: string,
    payload: unknown,
    ctx: CallContext,
    download: { maxBytes: number; what: string } | undefined,
    held: { slot?: BudgetSlot },
  ): Promise<ApiResult> {
    const url = this.endpointUrl(endpoint);
    let refreshed = false;
    let failures = 0;
    const retryTransient = async (err: Error): Promise<void> => {
      if (++failures > this.parts.retry.transientRetries) throw err;
      await this.backoff(failures, ctx);
    };
    for (;;) {
      this.admission.releaseSlot(held.slot);
      held.slot = undefined;
      const slot = await this.admission.takeSlot(ctx);
      held.slot = slot;
      await this.admission.passGate(ctx);
      const token = await this.token(ctx);
      ctx.scope.counters.apiCalls += 1;
      const sent = await this.send(url, endpoint, ctx, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(payload),
      });
      if ('error' in sent) {
        const e = sent.error;
        ctx.tracer.call({
          method: 'POST',
          url: url.href,
          endpoint,
          status: 'error',
          ms: sent.ms,
          requestBody: payload,
          note: e.message,
        });
        if (e instanceof SourceError || ctx.signal?.aborted) throw e;
        await retryTransient(e);
        continue;
      }
      const { res, ms } = sent;
      const status = res.statusCode;
      this.admission.noteRateLimit(res.headers);
      this.admission.noteBudget(slot, status, res.headers);
      const trace = (responseBody?: unknown, note?: string) =>
        ctx.tracer.call({
          method: 'POST',
          url: url.href,
          endpoint,
          status,
          ms,
          requestBody: payload,
          responseBody,
          note,
        });

      if (status === 429) {
        await discard(res.body);
        const waitMs = this.admission.onThrottled(res.headers, ctx, endpoint);
        trace(undefined, `throttled: every call of credential "${this.credential.name}" waits ${waitMs} ms`);
        continue;
      }
      if (status === 401) {
        const body = await readJsonLenient(res.body);
        trace(body);
        if (refreshed) {
          const { text } = describeDetails(body);
          throw new SourceError(
            `Mimecast rejected a freshly issued token for credential "${this.credential.name}" on ${endpoint} (HTTP 401${text ? `: ${text}` : ''}): the API application may be disabled or bound to another region`,
          );
        }
        this.tokens.invalidate(token);
        refreshed = true;
        continue;
      }
      if (status === 403) {
        const body = await readJsonLenient(res.body);
        trace(body);
        const { codes, text } = describeDetails(body);
        throw forbiddenError(endpoint, status, codes, text);
      }
      if (status >= 500 || status === 408) {
        await discard(res.body);
        trace();
        await retryTransient(new MimecastHttpError(endpoint, status, ''));
        continue;
      }
      if (status < 200 || status >= 300) {
        const body = await readJsonLenient(res.body);
        trace(body);
        const details = failDetails(body);
        if (details.some((d) => d.code === 'app_forbidden'))
          throw forbiddenError(endpoint, status, ['app_forbidden'], '');
        if (details.length) throw new MimecastFunctionError(endpoint, status, details);
        throw new MimecastHttpError(endpoint, status, typeof body === 'string' ? body.slice(0, 200) : '');
      }
      if (download && !isJsonContentType(res.headers)) {
        trace(
          undefined,
          `download body (${header(res.headers, 'content-type') ?? 'no content-type'}) not traced`,
        );
        return {
          kind: 'bytes',
          bytes: await readCapped(res.body, res.headers, download.maxBytes, download.what),
        };
      }
      let raw: unknown;
      try {
        raw = JSON.parse(await readText(res.body));
      } catch {
        trace(undefined, 'body is not valid JSON');
        await retryTransient(new MimecastResponseError(endpoint, 'body is not valid JSON'));
        continue;
      }
      trace(raw);
      const envelope = parseResponse(endpoint, MimecastEnvelope, raw);
      const details = failDetails(raw);
      if (details.length) {
        if (details.some((d) => d.code === 'app_forbidden'))
          throw forbiddenError(endpoint, status, ['app_forbidden'], '');
        throw new MimecastFunctionError(endpoint, status, details);
      }
      return { kind: 'json', envelope, status };
    }
  }

  /**
   * GETs a download link once. The bearer token goes only to the API's own origin; a pre-signed
   * link elsewhere gets no credentials. Failures are returned, not retried: the caller asks the
   * API for a new link (links may be single-use).
   */
  async getLink(link: string, ctx: CallContext, maxBytes: number, what: string): Promise<LinkResult> {
    let url: URL;
    try {
      url = new URL(link, this.apiBase);
    } catch {
      return { ok: false, reason: 'the link is not a URL' };
    }
    const plainAllowed = isLoopback(url.hostname) || isDevelopmentHost(this.credential.developmentHosts, url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed)) {
      throw new ItemError(`${what}: refusing a download link over ${url.protocol} off loopback`);
    }
    // A pre-signed link elsewhere is not an API call: no budget slot, no gate, no token.
    const slot = url.origin === this.apiBase.origin ? await this.admission.takeSlot(ctx) : undefined;
    try {
      return await this.getLinkOnce(url, ctx, maxBytes, what, slot);
    } finally {
      this.admission.releaseSlot(slot);
    }
  }

  /** One request with the transport's timeouts, accounted in the stats; a network failure is returned. */
  private async send(
    url: URL,
    endpoint: string,
    ctx: CallContext,
    options: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<{ res: Dispatcher.ResponseData; ms: number } | { error: Error; ms: number }> {
    const started = performance.now();
    try {
      const res = await request(url, {
        ...options,
        dispatcher: this.parts.dispatcher,
        headersTimeout: this.parts.retry.headersTimeoutMs,
        bodyTimeout: this.parts.retry.bodyTimeoutMs,
        signal: ctx.signal,
      });
      const ms = performance.now() - started;
      this.account(endpoint, res.statusCode, ms);
      return { res, ms };
    } catch (err) {
      const ms = performance.now() - started;
      this.account(endpoint, 'error', ms);
      return { error: networkError(err, url.origin), ms };
    }
  }

  private async getLinkOnce(
    url: URL,
    ctx: CallContext,
    maxBytes: number,
    what: string,
    slot: BudgetSlot | undefined,
  ): Promise<LinkResult> {
    const sameOrigin = slot !== undefined;
    const headers: Record<string, string> = {};
    if (sameOrigin) {
      await this.admission.passGate(ctx);
      headers.authorization = `Bearer ${await this.token(ctx)}`;
    }
    const endpoint = 'link';
    ctx.scope.counters.linkGets += 1;
    const sent = await this.send(url, endpoint, ctx, { method: 'GET', headers });
    if ('error' in sent) {
      const reason = sent.error.message;
      ctx.tracer.call({ method: 'GET', url: url.href, endpoint, status: 'error', ms: sent.ms, note: reason });
      return { ok: false, reason };
    }
    const { res, ms } = sent;
    const status = res.statusCode;
    ctx.tracer.call({
      method: 'GET',
      url: url.href,
      endpoint,
      status,
      ms,
      note: sameOrigin ? 'api origin' : 'foreign origin: no token sent',
    });
    if (slot) {
      this.admission.noteRateLimit(res.headers);
      this.admission.noteBudget(slot, status, res.headers);
    }
    if (status < 200 || status >= 300) {
      await discard(res.body);
      if (status === 429 && sameOrigin) this.admission.onThrottled(res.headers, ctx, endpoint);
      return { ok: false, reason: `HTTP ${status}` };
    }
    try {
      return { ok: true, bytes: await readCapped(res.body, res.headers, maxBytes, what) };
    } catch (err) {
      if (err instanceof ItemError) throw err;
      return { ok: false, reason: `body interrupted: ${(err as Error).message}` };
    }
  }
}
