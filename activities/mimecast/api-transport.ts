// The HTTP layer shared by every client of one (credential, apiEndpoint, authEndpoint) in a worker
// process: bearer auth with the token cache, the per-app concurrency budget and throttle gate,
// bounded retries of 5xx and network errors, the envelope's fail[] check, link GETs, tracing,
// stats and metrics.
import { request, type Dispatcher } from 'undici';
import { classifyError, ItemError } from '../../common/node/errors';
import type { CrawlMetrics, Logger } from '../ports';
import type { ApiBudget, BudgetSlot } from './api-budget';
import type { CallScope } from './call-scope';
import { isDevelopmentHost, isLoopback, type ResolvedCredential } from './credentials';
import {
  forbiddenError,
  MimecastFunctionError,
  MimecastHttpError,
  MimecastResponseError,
  SourceError,
  throttledFor,
  TransientError,
} from './errors';
import {
  discard,
  header,
  isJsonContentType,
  numericHeader,
  readCapped,
  readJsonLenient,
  readText,
  type ResponseHeaders,
} from './http-body';
import { failDetails, MimecastEnvelope, MimecastTokenResponse, parseResponse } from './responses';
import type { ApiStats } from './stats';
import type { ThrottleGate } from './throttle-gate';
import type { TokenCache } from './token-cache';
import type { ApiTracer } from './trace';

export interface RetryPolicy {
  /** Quick retries of 5xx, network errors and malformed JSON inside one call. */
  transientRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest single sleep before onWait is called again (heartbeats while waiting). */
  waitSliceMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 3,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  waitSliceMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 120_000,
};

/** Settings-dependent parts of a call, carried by each MimecastClient view. */
export interface CallContext {
  scope: CallScope;
  retryAfterMultiplier: number;
  authTokenOffsetSeconds: number;
  tracer: ApiTracer;
  signal?: AbortSignal;
}

export type ApiResult =
  { kind: 'json'; envelope: MimecastEnvelope; status: number } | { kind: 'bytes'; bytes: Buffer };

export type LinkResult = { ok: true; bytes: Buffer } | { ok: false; reason: string };

export interface TransportParts {
  credential: ResolvedCredential;
  apiBase: URL;
  authUrl: URL;
  dispatcher: Dispatcher;
  gate: ThrottleGate;
  budget: ApiBudget;
  tokens: TokenCache;
  stats: ApiStats;
  logger: Logger;
  metrics?: CrawlMetrics;
  retry: RetryPolicy;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const MIN_THROTTLE_WAIT_MS = 10;
/** Longest pause a token request sits out silently (well under a heartbeat timeout). */
const MAX_TOKEN_PAUSE_MS = 10_000;

/** Wait advised by a 429: max(Retry-After s, X-RateLimit-Reset ms → s) × multiplier (ms). */
export function throttleWaitMs(headers: ResponseHeaders, retryAfterMultiplier: number): number {
  const retryAfter = numericHeader(headers, 'retry-after');
  const resetMs = numericHeader(headers, 'x-ratelimit-reset');
  const candidates = [retryAfter, resetMs === undefined ? undefined : resetMs / 1000].filter(
    (v): v is number => v !== undefined && v >= 0,
  );
  // Neither header: one second, the smallest sensible pause.
  const seconds = candidates.length ? Math.max(...candidates) : 1;
  // A floor, so a 429 advising 0 cannot turn into a tight loop against the API.
  return Math.max(MIN_THROTTLE_WAIT_MS, Math.ceil(seconds * retryAfterMultiplier));
}

function describeDetails(body: unknown): { codes: string[]; text: string } {
  const details = failDetails(body);
  return {
    codes: details.map((d) => d.code),
    text: details.map((d) => `${d.code}: ${d.message}`).join('; '),
  };
}

export class ApiTransport {
  readonly credential: ResolvedCredential;
  readonly apiBase: URL;
  readonly authUrl: URL;
  readonly tokens: TokenCache;
  readonly stats: ApiStats;
  private readonly parts: TransportParts;
  /** Tracer and multiplier of the view whose call triggered the current token request. */
  private tokenTracer?: ApiTracer;
  private tokenRetryAfterMultiplier = 1000;

  constructor(parts: TransportParts) {
    this.parts = parts;
    this.credential = parts.credential;
    this.apiBase = parts.apiBase;
    this.authUrl = parts.authUrl;
    this.tokens = parts.tokens;
    this.stats = parts.stats;
  }

  endpointUrl(endpoint: string): URL {
    return new URL(this.apiBase.pathname.replace(/\/+$/, '') + endpoint, this.apiBase.origin);
  }

  /** Sleeps in slices, calling the scope's onWait between them (heartbeats). */
  private async wait(ms: number, ctx: CallContext, throttling: boolean): Promise<void> {
    let left = Math.max(0, ms);
    while (left > 0) {
      const slice = Math.min(left, this.parts.retry.waitSliceMs);
      await sleep(slice, ctx.signal);
      left -= slice;
      ctx.scope.waited(slice, throttling);
      if (throttling) this.parts.metrics?.throttleWait(slice);
    }
  }

  /** Waits while the credential is paused, then for its call slot; throws past the scope's budget. */
  private async passGate(ctx: CallContext): Promise<void> {
    const gate = this.parts.gate;
    for (;;) {
      const paused = gate.pauseRemaining();
      if (paused > 0) {
        if (paused > ctx.scope.throttleBudgetLeft()) throw throttledFor(paused, this.credential.name);
        await this.wait(paused, ctx, true);
        continue;
      }
      const slot = gate.reserveSlot();
      if (slot > ctx.scope.throttleBudgetLeft()) throw throttledFor(slot, this.credential.name);
      if (slot > 0) await this.wait(slot, ctx, true);
      return;
    }
  }

  /** A slot of the app's concurrency budget, heartbeating while queued for one. */
  private async takeSlot(ctx: CallContext): Promise<BudgetSlot> {
    const budget = this.parts.budget;
    const slot = budget.tryAcquire() ?? (await this.queueForSlot(budget, ctx));
    this.reportBudget();
    return slot;
  }

  private async queueForSlot(budget: ApiBudget, ctx: CallContext): Promise<BudgetSlot> {
    const queued = budget.acquire(ctx.signal);
    const slice = this.parts.retry.waitSliceMs;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), slice)));
      const slot = await Promise.race([queued, tick]).finally(() => clearTimeout(timer));
      if (slot) return slot;
      ctx.scope.waited(slice, false);
    }
  }

  private releaseSlot(slot: BudgetSlot | undefined): void {
    if (!slot) return;
    slot.release();
    this.reportBudget();
  }

  private reportBudget(): void {
    this.parts.metrics?.apiBudget?.(this.credential.name, this.parts.budget.snapshot());
  }

  /** Tells the budget what a response said about the quota. */
  private noteBudget(slot: BudgetSlot, status: number, headers: ResponseHeaders): void {
    if (status === 429) slot.throttled();
    else
      slot.answered(
        numericHeader(headers, 'x-ratelimit-limit'),
        numericHeader(headers, 'x-ratelimit-remaining'),
      );
  }

  private async backoff(failures: number, ctx: CallContext): Promise<void> {
    const { baseDelayMs, maxDelayMs } = this.parts.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    await this.wait(ceiling / 2 + Math.random() * (ceiling / 2), ctx, false);
  }

  private account(endpoint: string, status: number | 'error', ms: number): void {
    this.stats.record(endpoint, status);
    this.parts.metrics?.apiCall(endpoint, status === 'error' ? 0 : status, ms);
  }

  private noteRateLimit(headers: ResponseHeaders): void {
    this.parts.gate.noteRateLimit(
      numericHeader(headers, 'x-ratelimit-limit'),
      numericHeader(headers, 'x-ratelimit-remaining'),
      numericHeader(headers, 'x-ratelimit-reset'),
    );
  }

  private onThrottled(headers: ResponseHeaders, ctx: CallContext, endpoint: string): number {
    const waitMs = throttleWaitMs(headers, ctx.retryAfterMultiplier);
    this.parts.gate.pause(waitMs);
    ctx.scope.counters.throttled += 1;
    this.parts.logger.debug(
      { endpoint, waitMs, credential: this.credential.name },
      'mimecast throttled (429): pausing the credential',
    );
    return waitMs;
  }

  /** Network failures: DNS/TLS are source errors at once, the rest are retried by the caller. */
  private networkError(err: unknown, origin: string): Error {
    const c = classifyError(err);
    const code = (err as { code?: string })?.code;
    const text = `${c.message}${code && !c.message.includes(code) ? ` (${code})` : ''}`;
    if (c.kind === 'source') return new SourceError(`cannot reach ${origin}: ${text}`);
    return new TransientError(`network error talking to ${origin}: ${text}`);
  }

  async token(ctx: CallContext): Promise<string> {
    this.tokenTracer = ctx.tracer;
    this.tokenRetryAfterMultiplier = ctx.retryAfterMultiplier;
    return this.tokens.get(ctx.authTokenOffsetSeconds);
  }

  /** POSTs the client-credentials form (the single flight of TokenCache calls this). */
  async fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    const endpoint = '/oauth/token';
    const origin = this.authUrl.origin;
    const form = new URLSearchParams({
      client_id: this.credential.clientId,
      client_secret: this.credential.clientSecret,
      grant_type: 'client_credentials',
    }).toString();
    let failures = 0;
    for (;;) {
      const pause = this.parts.gate.pauseRemaining();
      // The single flight has no scope to heartbeat through: a long pause is handed back to Temporal.
      if (pause > MAX_TOKEN_PAUSE_MS) throw throttledFor(pause, this.credential.name);
      if (pause > 0) await sleep(pause);
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(this.authUrl, {
          method: 'POST',
          dispatcher: this.parts.dispatcher,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form,
          headersTimeout: this.parts.retry.headersTimeoutMs,
          bodyTimeout: this.parts.retry.bodyTimeoutMs,
        });
      } catch (err) {
        const ms = performance.now() - started;
        this.account(endpoint, 'error', ms);
        const e = this.networkError(err, origin);
        this.tokenTracer?.call({
          method: 'POST',
          url: this.authUrl.href,
          endpoint,
          status: 'error',
          ms,
          note: e.message,
        });
        if (e instanceof SourceError || ++failures > this.parts.retry.transientRetries) throw e;
        await sleep(
          Math.min(this.parts.retry.maxDelayMs, this.parts.retry.baseDelayMs * 2 ** (failures - 1)),
        );
        continue;
      }
      const ms = performance.now() - started;
      this.account(endpoint, res.statusCode, ms);
      const status = res.statusCode;
      const body = await readJsonLenient(res.body);
      // The form (client secret) is never traced; the response is, with access_token masked.
      this.tokenTracer?.call({
        method: 'POST',
        url: this.authUrl.href,
        endpoint,
        status,
        ms,
        requestBody: '[form redacted]',
        responseBody: body,
      });
      if (status === 429) {
        this.parts.gate.pause(throttleWaitMs(res.headers, this.tokenRetryAfterMultiplier));
        if (++failures > this.parts.retry.transientRetries)
          throw throttledFor(this.parts.gate.pauseRemaining(), this.credential.name);
        continue;
      }
      if (status >= 500) {
        if (++failures > this.parts.retry.transientRetries)
          throw new MimecastHttpError(endpoint, status, 'token endpoint unavailable');
        await sleep(
          Math.min(this.parts.retry.maxDelayMs, this.parts.retry.baseDelayMs * 2 ** (failures - 1)),
        );
        continue;
      }
      if (status !== 200) {
        const { text } = describeDetails(body);
        throw new SourceError(
          `Mimecast refused credential "${this.credential.name}" at ${this.authUrl.href} (HTTP ${status}${text ? `: ${this.scrub(text)}` : ''}): check the client id and secret of the API 2.0 application`,
        );
      }
      const parsed = parseResponse(endpoint, MimecastTokenResponse, body);
      return { accessToken: parsed.access_token, expiresInSeconds: parsed.expires_in };
    }
  }

  private scrub(text: string): string {
    return text.split(this.credential.clientSecret).join('[REDACTED]');
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
      this.releaseSlot(held.slot);
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
      this.releaseSlot(held.slot);
      held.slot = undefined;
      const slot = await this.takeSlot(ctx);
      held.slot = slot;
      await this.passGate(ctx);
      const token = await this.token(ctx);
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        ctx.scope.counters.apiCalls += 1;
        res = await request(url, {
          method: 'POST',
          dispatcher: this.parts.dispatcher,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(payload),
          headersTimeout: this.parts.retry.headersTimeoutMs,
          bodyTimeout: this.parts.retry.bodyTimeoutMs,
          signal: ctx.signal,
        });
      } catch (err) {
        const ms = performance.now() - started;
        this.account(endpoint, 'error', ms);
        const e = this.networkError(err, url.origin);
        ctx.tracer.call({
          method: 'POST',
          url: url.href,
          endpoint,
          status: 'error',
          ms,
          requestBody: payload,
          note: e.message,
        });
        if (e instanceof SourceError || ctx.signal?.aborted) throw e;
        await retryTransient(e);
        continue;
      }
      const ms = performance.now() - started;
      const status = res.statusCode;
      this.account(endpoint, status, ms);
      this.noteRateLimit(res.headers);
      this.noteBudget(slot, status, res.headers);
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
        const waitMs = this.onThrottled(res.headers, ctx, endpoint);
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
    const slot = url.origin === this.apiBase.origin ? await this.takeSlot(ctx) : undefined;
    try {
      return await this.getLinkOnce(url, ctx, maxBytes, what, slot);
    } finally {
      this.releaseSlot(slot);
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
      await this.passGate(ctx);
      headers.authorization = `Bearer ${await this.token(ctx)}`;
    }
    const endpoint = 'link';
    const started = performance.now();
    ctx.scope.counters.linkGets += 1;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        dispatcher: this.parts.dispatcher,
        headers,
        headersTimeout: this.parts.retry.headersTimeoutMs,
        bodyTimeout: this.parts.retry.bodyTimeoutMs,
        signal: ctx.signal,
      });
    } catch (err) {
      const ms = performance.now() - started;
      this.account(endpoint, 'error', ms);
      const reason = this.networkError(err, url.origin).message;
      ctx.tracer.call({ method: 'GET', url: url.href, endpoint, status: 'error', ms, note: reason });
      return { ok: false, reason };
    }
    const ms = performance.now() - started;
    const status = res.statusCode;
    this.account(endpoint, status, ms);
    ctx.tracer.call({
      method: 'GET',
      url: url.href,
      endpoint,
      status,
      ms,
      note: sameOrigin ? 'api origin' : 'foreign origin: no token sent',
    });
    if (slot) {
      this.noteRateLimit(res.headers);
      this.noteBudget(slot, status, res.headers);
    }
    if (status < 200 || status >= 300) {
      await discard(res.body);
      if (status === 429 && sameOrigin) this.onThrottled(res.headers, ctx, endpoint);
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
