// The client-credentials token request: throttle pauses, bounded retries, and a refusal as a source error.
import { request, type Dispatcher } from 'undici';
import { MimecastHttpError, SourceError, throttledFor } from './errors';
import { readJsonLenient } from './http-body';
import { MimecastTokenResponse, parseResponse } from './responses';
import { sleep } from './retry-policy';
import { throttleWaitMs } from './throttle-wait';
import type { ApiTracer } from './trace';
import { describeDetails, networkError } from './transport-failures';
import type { TransportParts } from './transport-parts';

/** Longest pause a token request sits out silently (well under a heartbeat timeout). */
const MAX_TOKEN_PAUSE_MS = 10_000;

/** The view whose call triggered the token request: read at each use, as a later call may replace it. */
export interface TokenRequestView {
  tracer(): ApiTracer | undefined;
  retryAfterMultiplier(): number;
}

/** POSTs the client-credentials form (the single flight of TokenCache calls this). */
export async function requestToken(
  parts: TransportParts,
  view: TokenRequestView,
  account: (endpoint: string, status: number | 'error', ms: number) => void,
): Promise<{ accessToken: string; expiresInSeconds: number }> {
  const endpoint = '/oauth/token';
  const origin = parts.authUrl.origin;
  const form = new URLSearchParams({
    client_id: parts.credential.clientId,
    client_secret: parts.credential.clientSecret,
    grant_type: 'client_credentials',
  }).toString();
  let failures = 0;
  for (;;) {
    const pause = parts.gate.pauseRemaining();
    // The single flight has no scope to heartbeat through: a long pause is handed back to Temporal.
    if (pause > MAX_TOKEN_PAUSE_MS) throw throttledFor(pause, parts.credential.name);
    if (pause > 0) await sleep(pause);
    const started = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(parts.authUrl, {
        method: 'POST',
        dispatcher: parts.dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        headersTimeout: parts.retry.headersTimeoutMs,
        bodyTimeout: parts.retry.bodyTimeoutMs,
      });
    } catch (err) {
      const ms = performance.now() - started;
      account(endpoint, 'error', ms);
      const e = networkError(err, origin);
      view.tracer()?.call({
        method: 'POST',
        url: parts.authUrl.href,
        endpoint,
        status: 'error',
        ms,
        note: e.message,
      });
      if (e instanceof SourceError || ++failures > parts.retry.transientRetries) throw e;
      await sleep(Math.min(parts.retry.maxDelayMs, parts.retry.baseDelayMs * 2 ** (failures - 1)));
      continue;
    }
    const ms = performance.now() - started;
    account(endpoint, res.statusCode, ms);
    const status = res.statusCode;
    const body = await readJsonLenient(res.body);
    // The form (client secret) is never traced; the response is, with access_token masked.
    view.tracer()?.call({
      method: 'POST',
      url: parts.authUrl.href,
      endpoint,
      status,
      ms,
      requestBody: '[form redacted]',
      responseBody: body,
    });
    if (status === 429) {
      parts.gate.pause(throttleWaitMs(res.headers, view.retryAfterMultiplier()));
      if (++failures > parts.retry.transientRetries)
        throw throttledFor(parts.gate.pauseRemaining(), parts.credential.name);
      continue;
    }
    if (status >= 500) {
      if (++failures > parts.retry.transientRetries)
        throw new MimecastHttpError(endpoint, status, 'token endpoint unavailable');
      await sleep(Math.min(parts.retry.maxDelayMs, parts.retry.baseDelayMs * 2 ** (failures - 1)));
      continue;
    }
    if (status !== 200) {
      const { text } = describeDetails(body);
      throw new SourceError(
        `Mimecast refused credential "${parts.credential.name}" at ${parts.authUrl.href} (HTTP ${status}${text ? `: ${text.split(parts.credential.clientSecret).join('[REDACTED]')}` : ''}): check the client id and secret of the API 2.0 application`,
      );
    }
    const parsed = parseResponse(endpoint, MimecastTokenResponse, body);
    return { accessToken: parsed.access_token, expiresInSeconds: parsed.expires_in };
  }
}
