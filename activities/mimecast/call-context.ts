// What one call carries (the view's scope, tracer, multipliers, abort signal) and what it returns.
import type { CallScope } from './call-scope';
import type { MimecastEnvelope } from './responses';
import type { ApiTracer } from './trace';

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
